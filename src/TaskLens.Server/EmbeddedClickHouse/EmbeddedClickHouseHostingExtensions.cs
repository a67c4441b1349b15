using TaskLens.Storage.ClickHouse;

namespace TaskLens.Server.EmbeddedClickHouse;

internal static class EmbeddedClickHouseHostingExtensions
{
    /// <summary>
    /// Embedded mode: when no <c>TaskLens:ClickHouse:Url</c> is configured, TaskLens starts and supervises a
    /// loopback-only clickhouse-server of its own and points the client at it. Register before storage so the
    /// server is up when the schema migrator runs.
    /// </summary>
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
        builder.Services.AddHostedService<EmbeddedClickHouseService>();
        return builder;
    }
}
