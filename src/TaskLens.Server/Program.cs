using Microsoft.Extensions.Configuration.Memory;
using TaskLens.Briefs;
using TaskLens.Core;
using TaskLens.Detection;
using TaskLens.Ingest;
using TaskLens.Server.Access;
using TaskLens.Server.Api;
using TaskLens.Server.Cli;
using TaskLens.Server.SelfObservability;
using TaskLens.Slack;
using TaskLens.Storage;
using TaskLens.Web;

namespace TaskLens.Server;

/// <summary>The TaskLens executable: reads like a table of contents of the composition root.</summary>
public static partial class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args is [DetectCommand.Verb, .. var rest])
        {
            return await DetectCommand.RunAsync(rest, Console.Out, Console.Error);
        }

        if (args is [UsersCommand.Verb, .. var userArgs])
        {
            return await UsersCommand.RunAsync(userArgs, Console.In, Console.Out, Console.Error);
        }

        await using var app = Create(args);
        await app.RunAsync();
        return 0;
    }

    /// <summary>Builds the whole application; integration tests start it on real ports through this.</summary>
    internal static WebApplication Create(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // Settings are read once at start. Reloading appsettings.json on change would watch the whole content root,
        // the spool and the embedded ClickHouse's data included: under load that watcher cost ~8% of the CPU per span.
        // The application is named for this assembly even when a test host starts it, so the dashboard's static web
        // assets manifests (TaskLens.Server.staticwebassets.*.json) are found beside it.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(Program).Assembly.GetName().Name,
            Args = ["--hostBuilder:reloadConfigOnChange=false", .. args],
        });

        // A default under every other source: ASP.NET Core's per-request lines at Information would be four lines for
        // each webhook and API call (thousands a minute in an alert flood). Any configuration can set them back.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?> { ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning" },
        });
        configure?.Invoke(builder);

        // One call per project. Server's own comes first: it starts the embedded ClickHouse (if any) before storage's
        // schema migrator runs.
        var listeners = builder.AddTaskLensServer();
        builder.AddTaskLensStorage();
        builder.AddTaskLensIngest();
        builder.AddTaskLensCore();
        builder.AddTaskLensDetection();
        builder.AddTaskLensBriefs();
        builder.AddTaskLensSlack();
        builder.AddTaskLensWeb();
        builder.AddTaskLensSelfObservability();

        var app = builder.Build();
        app.UseTaskLensServer();
        app.MapTaskLensIngest(listeners.OtlpGrpcPort, listeners.OtlpHttpPort);
        app.UseTaskLensAccess();
        app.MapTaskLensApi(listeners.ApiPort);
        app.MapTaskLensSelfObservability();
        app.MapTaskLensSlack(listeners.ApiPort);
        app.MapSignOut();
        app.MapTaskLensWeb();
        return app;
    }
}
