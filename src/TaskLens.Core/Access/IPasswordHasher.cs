namespace TaskLens.Core.Access;

/// <summary>
/// How passwords are hashed and checked (the server's implementation is ASP.NET Core Identity's <c>PasswordHasher</c>:
/// PBKDF2, salted, with a format version so old hashes can be upgraded). A port, so Core stays free of ASP.NET Core.
/// </summary>
public interface IPasswordHasher
{
    string Hash(string password);

    PasswordCheck Verify(string hash, string password);
}

public enum PasswordCheck
{
    Failed,
    Success,

    /// <summary>Right, but hashed with older settings: store a new hash.</summary>
    SuccessRehashNeeded,
}
