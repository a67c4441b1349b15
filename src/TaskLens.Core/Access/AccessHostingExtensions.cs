using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace TaskLens.Core.Access;

public static class AccessHostingExtensions
{
    /// <summary>
    /// Users, stored keys and the first admin (<c>TaskLens:Access</c>, validated here listing every error). Register
    /// the stores (<see cref="IUserStore"/>, <see cref="IAccessKeyStore"/>) and their database before this.
    /// </summary>
    public static AccessOptions AddTaskLensAccess(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Configuration.GetSection(AccessOptions.Section).Get<AccessOptions>() ?? new AccessOptions();
        var errors = options.Validate().ToList();
        if (errors.Count > 0)
        {
            throw new InvalidOperationException(
                $"Invalid {AccessOptions.Section} configuration:{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", errors));
        }

        builder.Services.AddSingleton(options);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<AccessKeyDirectory>();
        builder.Services.AddSingleton<AccessService>();
        builder.Services.AddHostedService<AccessKeyRefresher>();
        return options;
    }
}
