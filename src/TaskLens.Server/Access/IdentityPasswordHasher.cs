using Microsoft.AspNetCore.Identity;
using TaskLens.Core.Access;

namespace TaskLens.Server.Access;

/// <summary>
/// ASP.NET Core Identity's <see cref="PasswordHasher{TUser}"/>: PBKDF2 with HMAC-SHA512, a random salt per password and
/// the iteration count of the running framework; a hash from older settings verifies as "rehash needed".
/// </summary>
internal sealed class IdentityPasswordHasher : IPasswordHasher
{
    private static readonly PasswordHasher<object> Hasher = new();
    private static readonly object NoUser = new();

    public string Hash(string password) => Hasher.HashPassword(NoUser, password);

    public PasswordCheck Verify(string hash, string password) => Hasher.VerifyHashedPassword(NoUser, hash, password) switch
    {
        PasswordVerificationResult.Success => PasswordCheck.Success,
        PasswordVerificationResult.SuccessRehashNeeded => PasswordCheck.SuccessRehashNeeded,
        _ => PasswordCheck.Failed,
    };
}
