using TaskLens.Core.Alerts.Intake;

namespace TaskLens.Server.AlertIntake;

internal static class AlertIntakeHostingExtensions
{
    /// <summary>The alert intake (<c>TaskLens:Alerts</c>): tokens, the dedup book, the webhook endpoints' services.</summary>
    public static WebApplicationBuilder AddTaskLensAlertIntake(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(AlertIntakeOptions.Section).Get<AlertIntakeOptions>() ?? new AlertIntakeOptions();
        var errors = options.Validate().ToList();
        if (errors.Count > 0)
        {
            throw new InvalidOperationException(
                $"Invalid {AlertIntakeOptions.Section} configuration:{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", errors));
        }

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<AlertIntakeAuth>();
        builder.Services.AddSingleton<AlertIntakeService>();
        builder.Services.AddSingleton<IAlertIntake>(sp => sp.GetRequiredService<AlertIntakeService>());
        return builder;
    }
}
