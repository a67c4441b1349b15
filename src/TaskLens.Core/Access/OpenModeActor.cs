namespace TaskLens.Core.Access;

/// <summary>Open mode on loopback: one local user in the tenant <c>default</c>, named as such on the timeline.</summary>
public sealed class OpenModeActor : ICurrentActor
{
    public const string UserName = "local (open mode)";
    public string Name => UserName;

    public string Tenant => Tenants.Default;
}
