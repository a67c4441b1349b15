using Microsoft.Extensions.DependencyInjection.Extensions;
using TaskLens.Core.Goals;
using TaskLens.Core.Telemetry;

namespace TaskLens.Server.Goals;

internal static class GoalHostingExtensions
{
    /// <summary>
    /// The goal rollup: binds <see cref="GoalOptions"/>, loads the model price table, puts the rollup behind the span
    /// sink registered by storage (so it sees exactly what was stored) and starts the sweeper. Register after storage.
    /// </summary>
    public static WebApplicationBuilder AddTaskLensGoals(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(GoalOptions.Section).Get<GoalOptions>() ?? new GoalOptions();
        var errors = options.Validate().ToList();
        var priceFile = Path.IsPathRooted(options.PriceFile) ? options.PriceFile : Path.Combine(AppContext.BaseDirectory, options.PriceFile);
        ModelPriceTable? prices = null;
        try
        {
            prices = ModelPriceTable.Parse(File.ReadAllText(priceFile));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or System.Text.Json.JsonException)
        {
            errors.Add($"{GoalOptions.Section}:PriceFile '{priceFile}': {e.Message}");
        }

        if (errors.Count > 0)
        {
            throw new InvalidOperationException(
                $"Invalid {GoalOptions.Section} configuration:{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", errors));
        }

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(prices!);
        builder.Services.AddSingleton(sp =>
        {
            GoalLog.Started(sp.GetRequiredService<ILogger<GoalRollup>>(), prices!.Count, priceFile, options.QuietPeriod.TotalSeconds, options.AbandonAfter.TotalMinutes);
            return new GoalRollup(options, prices!);
        });
        var stored = builder.Services.Last(d => d.ServiceType == typeof(ISpanSink));
        builder.Services.Replace(ServiceDescriptor.Singleton<ISpanSink>(sp =>
        {
            var logger = sp.GetRequiredService<ILogger<GoalRollup>>();
            return new GoalRollupSpanSink(
                (ISpanSink)stored.ImplementationFactory!(sp), sp.GetRequiredService<GoalRollup>(), sp.GetRequiredService<TimeProvider>(),
                e => GoalLog.ObserveFailed(logger, e));
        }));
        builder.Services.AddSingleton<GoalRollupService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<GoalRollupService>());
        return builder;
    }
}
