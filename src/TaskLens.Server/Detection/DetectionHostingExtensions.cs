using TaskLens.Core.Goals;

namespace TaskLens.Server.Detection;

internal static class DetectionHostingExtensions
{
    /// <summary>Continuous detection over goal and service series (<c>TaskLens:Detection</c>). Register after goals.</summary>
    public static WebApplicationBuilder AddTaskLensDetection(this WebApplicationBuilder builder)
    {
        var goalOptions = builder.Configuration.GetSection(GoalOptions.Section).Get<GoalOptions>() ?? new GoalOptions();
        var options = DetectionOptions.From(builder.Configuration, goalOptions.QuietPeriod);
        var errors = options.Validate().ToList();
        if (errors.Count > 0)
        {
            throw new InvalidOperationException(
                $"Invalid {DetectionOptions.Section} configuration:{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", errors));
        }

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<DetectionRunner>();
        if (options.Enabled)
        {
            builder.Services.AddHostedService<DetectionService>();
        }

        return builder;
    }
}
