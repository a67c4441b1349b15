using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using TaskLens.Core;
using TaskLens.Core.Goals;
using TaskLens.Detection.Continuous;

namespace TaskLens.Detection;

public static class DetectionHostingExtensions
{
    /// <summary>
    /// Continuous detection over goal and service series (<c>TaskLens:Detection</c>): the runner, and the service that
    /// drives it unless disabled; the goal bands the dashboard draws (<see cref="GoalBandReplay"/>); run-level outliers (<see cref="Runs.RunOutliers"/>). Its judging delay follows when the goals'
    /// runs are stored (<c>TaskLens:Goals</c>: quiet period and write interval).
    /// </summary>
    public static IHostApplicationBuilder AddTaskLensDetection(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddValidatedOptions<DetectionOptions>(builder.Configuration, DetectionOptions.SectionName, o => o.Validate())
            .PostConfigure<IOptions<GoalOptions>>((options, goals) => options.RunsStoredWithin = goals.Value.RunsStoredWithin);
        builder.Services.AddSingleton<DetectionRunner>();
        builder.Services.AddSingleton<IGoalBandReader, GoalBandReplay>();
        builder.Services.AddSingleton<DetectionMetrics>();
        builder.Services.AddSingleton<ISelfMetrics>(sp => sp.GetRequiredService<DetectionMetrics>());
        builder.Services.AddSingleton<Runs.RunOutliers>();
        builder.Services.AddSingleton<IRunOutlierJudge>(services => services.GetRequiredService<Runs.RunOutliers>());
        if (builder.Configuration.GetSection(DetectionOptions.SectionName).GetValue(nameof(DetectionOptions.Enabled), true))
        {
            builder.Services.AddHostedService<DetectionService>();
        }

        return builder;
    }
}
