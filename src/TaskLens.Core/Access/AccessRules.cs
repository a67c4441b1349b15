namespace TaskLens.Core.Access;

/// <summary>What a user name, password, tenant and key name must be; each check answers null or the reason in plain words.</summary>
public static class AccessRules
{
    public const int MinPasswordLength = 12;

    public static string? CheckName(string? name) =>
        string.IsNullOrEmpty(name) || name.Length > 64 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '@')
            ? "a user name is 1 to 64 letters, digits, '.', '-', '_' or '@'."
            : null;

    public static string? CheckPassword(string? password) =>
        password is null || password.Length < MinPasswordLength || password.Length > 1024
            ? $"a password has {MinPasswordLength} to 1024 characters."
            : null;

    public static string? CheckTenant(string? tenant) =>
        string.IsNullOrWhiteSpace(tenant) || tenant.Length > 128 || tenant.Any(char.IsControl)
            ? "a tenant is 1 to 128 characters, not blank."
            : null;

    public static string? CheckKeyName(string? name) =>
        string.IsNullOrWhiteSpace(name) || name.Length > 100 || name.Any(char.IsControl)
            ? "a key name is 1 to 100 characters, not blank."
            : null;
}
