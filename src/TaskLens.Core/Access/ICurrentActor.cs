namespace TaskLens.Core.Access;

/// <summary>
/// Who is acting: the name recorded on triage and the tenant every read is scoped to. The dashboard and the API ask for
/// it per request or circuit; sign-in backs it with the signed-in user, open mode with <see cref="OpenModeActor"/>.
/// </summary>
public interface ICurrentActor
{
    string Name { get; }

    string Tenant { get; }
}
