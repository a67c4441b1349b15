namespace TaskLens.Core.Access;

/// <summary>
/// Who is acting: the name recorded on triage and the tenant every read is scoped to. The dashboard and the API ask for
/// it per request or circuit; sign-in backs it with the signed-in user or API key, open mode with <see cref="OpenModeActor"/>.
/// </summary>
public interface ICurrentActor
{
    string Name { get; }

    string Tenant { get; }

    /// <summary>What the actor may do: a viewer reads, a responder also triages, an admin also manages access.</summary>
    AccessRights Rights { get; }
}
