using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace TaskLens.Core.Access;

internal static class AccessHostingExtensions
{
    /// <summary>
    /// Users, stored keys and the first admin (<c>TaskLens:Access</c>). Needs the stores (<see cref="IUserStore"/>,
    /// <see cref="IAccessKeyStore"/>, registered with their database before this, so the database is migrated before
    /// the first admin is made) and an <see cref="IPasswordHasher"/>.
    /// </summary>
    public static void AddAccess(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<AccessOptions>(builder.Configuration, AccessOptions.SectionName, o => o.Validate());
        builder.Services.AddSingleton<AccessKeyDirectory>();
        builder.Services.AddSingleton<AccessService>();
        builder.Services.AddHostedService<AccessKeyRefresher>();
    }
}
