using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace TaskLens.Core.Access;

public static class AccessHostingExtensions
{
    /// <summary>
    /// Users, stored keys and the first admin (<c>TaskLens:Access</c>, validated at start listing every error). Register
    /// the stores (<see cref="IUserStore"/>, <see cref="IAccessKeyStore"/>) and an <see cref="IPasswordHasher"/> as well.
    /// </summary>
    public static IHostApplicationBuilder AddTaskLensAccess(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<AccessOptions>().Bind(builder.Configuration.GetSection(AccessOptions.SectionName)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<AccessOptions>, AccessOptionsValidator>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<AccessKeyDirectory>();
        builder.Services.AddSingleton<AccessService>();
        builder.Services.AddHostedService<AccessKeyRefresher>();
        return builder;
    }
}
