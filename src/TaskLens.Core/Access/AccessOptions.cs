namespace TaskLens.Core.Access;

/// <summary>
/// Sign-in settings (<c>TaskLens:Access</c>): the first admin created on first start, the sign-in session, how often
/// stored keys are re-read. Open mode is <c>TaskLens:Ingest:OpenMode</c>, one switch for the whole server.
/// </summary>
public sealed class AccessOptions
{
    public const string SectionName = "TaskLens:Access";

    /// <summary>
    /// The first admin, created at start when no user exists yet (then ignored): <c>TaskLens__Access__FirstAdmin__Name</c>,
    /// <c>…__Password</c> (a secret: environment, never logged) and <c>…__Tenant</c> (default <c>default</c>).
    /// </summary>
    public FirstAdminOptions FirstAdmin { get; set; } = new();

    /// <summary>How long a sign-in lasts without use (sliding).</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>How often stored keys and tokens are re-read (to see changes by another node or the command line).</summary>
    public TimeSpan KeyRefresh { get; set; } = TimeSpan.FromSeconds(10);

    public IEnumerable<string> Validate()
    {
        var hasName = !string.IsNullOrEmpty(FirstAdmin.Name);
        var hasPassword = !string.IsNullOrEmpty(FirstAdmin.Password);
        if (hasName != hasPassword)
        {
            yield return "FirstAdmin needs both Name and Password (or neither).";
        }

        if (hasName && AccessRules.CheckName(FirstAdmin.Name) is { } name)
        {
            yield return "FirstAdmin:Name: " + name;
        }

        if (hasPassword && AccessRules.CheckPassword(FirstAdmin.Password) is { } password)
        {
            yield return "FirstAdmin:Password: " + password;
        }

        if (AccessRules.CheckTenant(FirstAdmin.Tenant) is { } tenant)
        {
            yield return "FirstAdmin:Tenant: " + tenant;
        }

        if (SessionLifetime < TimeSpan.FromMinutes(1) || SessionLifetime > TimeSpan.FromDays(30))
        {
            yield return "SessionLifetime must be between 1 minute and 30 days.";
        }

        if (KeyRefresh < TimeSpan.FromSeconds(1) || KeyRefresh > TimeSpan.FromHours(1))
        {
            yield return "KeyRefresh must be between 1 second and 1 hour.";
        }
    }
}

public sealed class FirstAdminOptions
{
    public string Name { get; set; } = "";

    public string Password { get; set; } = "";

    public string Tenant { get; set; } = OpenModeActor.DefaultTenant;
}
