using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TaskLens.Core.Telemetry;

namespace TaskLens.Core.Goals;

public static class GoalHostingExtensions
{
    /// <summary>
    /// The goal rollup (<c>TaskLens:Goals</c>): the options and model price table, the rollup behind both stored span
    /// sinks (<see cref="SpanSinkKeys"/>, so it sees exactly what was stored) and the sweeper, which is also the
    /// watermark detection waits for (<see cref="IGoalRunWatermark"/>). Any order with
    /// storage: the decoration takes the stored sink by its key.
    /// </summary>
    public static IHostApplicationBuilder AddTaskLensGoals(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddValidatedOptions<GoalOptions>(builder.Configuration, GoalOptions.SectionName, o => o.Validate().Concat(PriceFileErrors(o)));
        services.AddSingleton(sp => ModelPriceTable.Parse(File.ReadAllText(PricePath(sp.GetRequiredService<GoalOptions>()))));
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<GoalOptions>();
            var prices = sp.GetRequiredService<ModelPriceTable>();
            GoalLog.Started(sp.GetRequiredService<ILogger<GoalRollup>>(), prices.Count, PricePath(options), options.QuietPeriod.TotalSeconds, options.AbandonAfter.TotalMinutes);
            return new GoalRollup(options, prices);
        });
        services.AddSingleton<ISpanRowSink>(sp => Observed(sp, SpanSinkKeys.Stored));
        services.AddKeyedSingleton<ISpanRowSink>(SpanSinkKeys.Direct, (sp, _) => Observed(sp, SpanSinkKeys.StoredDirect));
        services.AddSingleton<GoalRollupService>();
        services.AddHostedService(sp => sp.GetRequiredService<GoalRollupService>());
        services.AddSingleton<IGoalRunWatermark>(sp => sp.GetRequiredService<GoalRollupService>());
        services.AddSingleton<ISelfMetrics, GoalMetrics>();
        return builder;
    }

    private static GoalRollupSpanRowSink Observed(IServiceProvider sp, string storedKey) => new(
        sp.GetRequiredKeyedService<ISpanRowSink>(storedKey), sp.GetRequiredService<GoalRollup>(), sp.GetRequiredService<TimeProvider>(),
        RollupFailed(sp), sp.GetService<Incidents.IServiceLinks>());

    private static Action<Exception> RollupFailed(IServiceProvider sp)
    {
        var logger = sp.GetRequiredService<ILogger<GoalRollup>>();
        return e => GoalLog.ObserveFailed(logger, e);
    }

    private static string PricePath(GoalOptions options) =>
        Path.IsPathRooted(options.PriceFile) ? options.PriceFile : Path.Combine(AppContext.BaseDirectory, options.PriceFile);

    private static IEnumerable<string> PriceFileErrors(GoalOptions options)
    {
        var priceFile = PricePath(options);
        try
        {
            ModelPriceTable.Parse(File.ReadAllText(priceFile));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or System.Text.Json.JsonException)
        {
            return [$"{GoalOptions.SectionName}:PriceFile '{priceFile}': {e.Message}"];
        }

        return [];
    }
}
