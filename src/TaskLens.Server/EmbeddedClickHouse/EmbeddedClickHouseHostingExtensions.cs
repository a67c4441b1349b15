using TaskLens.Core.Goals;
using TaskLens.Storage.ClickHouse;

namespace TaskLens.Server.EmbeddedClickHouse;

internal static class EmbeddedClickHouseHostingExtensions
{
    /// <summary>
    /// Embedded mode: when no <c>TaskLens:ClickHouse:Url</c> is configured, TaskLens starts and supervises a
    /// loopback-only clickhouse-server of its own and points the client at it. Register before storage so the
    /// server is up when the schema migrator runs.
    /// </summary>
    /// <remarks>
    /// The embedded server is this node's alone (loopback, a password only this node holds), so every span stored in it
    /// came through this node's drain and the goal sweeper's stored-span count can never find more than the node holds:
    /// <see cref="GoalOptions.CheckStoredSpans"/> defaults to off here (the count cost ClickHouse ~2 CPU-µs a span under
    /// SDK-shaped load, issue 20). A configured value still wins.
    /// </remarks>
    internal static WebApplicationBuilder AddTaskLensEmbeddedClickHouse(this WebApplicationBuilder builder)
    {
        if (!string.IsNullOrWhiteSpace(builder.Configuration[$"{ClickHouseOptions.SectionName}:Url"]))
        {
            return builder;
        }

        var contentRoot = builder.Environment.ContentRootPath;
        builder.Services.PostConfigure<ClickHouseOptions>(options =>
        {
            options.EmbeddedDataPath = Path.GetFullPath(options.EmbeddedDataPath, contentRoot);
            options.Url = $"http://127.0.0.1:{options.EmbeddedHttpPort}";

            // Never passwordless: any local account could use a loopback server without one.
            options.User = "default";
            options.Password = EmbeddedPassword.LoadOrCreate(options.EmbeddedDataPath);
        });
        if (builder.Configuration[$"{GoalOptions.SectionName}:{nameof(GoalOptions.CheckStoredSpans)}"] is null)
        {
            builder.Services.PostConfigure<GoalOptions>(options => options.CheckStoredSpans = false);
        }

        builder.Services.AddHostedService<EmbeddedClickHouseService>();
        return builder;
    }
}
