namespace TaskLens.Core.Access;

/// <summary>Open mode on loopback: one local user in the tenant <c>default</c>, named as such on the timeline.</summary>
public sealed class OpenModeActor : ICurrentActor
{
    public const string UserName = "local (open mode)";
    public const string DefaultTenant = Tenants.Default;

    public string Name => UserName;

    public string Tenant => DefaultTenant;

    /// <summary>Everything: open mode is for one person on their own machine (loopback only, checked at start).</summary>
    public AccessRights Rights => AccessRights.All;
}
