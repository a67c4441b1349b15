using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using TaskLens.Core;
using TaskLens.Ingest;
using TaskLens.Server.AlertIntake;
using TaskLens.Server.EmbeddedClickHouse;

namespace TaskLens.Server;

internal static class ServerHostingExtensions
{
    /// <summary>
    /// What only the executable has: binds <see cref="ServerOptions"/> and opens the three listeners (failing start-up
    /// listing every error), supervises the embedded ClickHouse when no URL is configured, and the webhook endpoints'
    /// token check. Call first, so the embedded ClickHouse is up before storage's schema migrator runs.
    /// </summary>
    public static ServerOptions AddTaskLensServer(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<ServerOptions>(builder.Configuration, ServerOptions.SectionName, o => o.Validate());

        // The listeners are opened from the same section, read here because the ports are needed to map the endpoints;
        // an invalid value fails start-up through the validator above before Kestrel binds anything.
        var options = builder.Configuration.GetSection(ServerOptions.SectionName).Get<ServerOptions>() ?? new ServerOptions();

        // Not a setting of one section but a guard across two, checked as soon as the application is built: open mode
        // takes exports without a key, so it must never be reachable from the network.
        if (builder.Configuration.GetValue<bool>($"{IngestOptions.SectionName}:OpenMode") && !IsLoopback(options.ListenAddress))
        {
            throw new InvalidOperationException(
                $"{IngestOptions.SectionName}:OpenMode accepts exports without a key, so it is allowed only on loopback; ListenAddress is '{options.ListenAddress}'.");
        }

        builder.AddTaskLensEmbeddedClickHouse();
        builder.Services.AddSingleton<AlertIntakeAuth>();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // Ingest enforces its own body limit after decompression (TaskLens:Ingest:MaxRequestBytes).
            kestrel.Limits.MaxRequestBodySize = null;
            Listen(kestrel, options.ListenAddress, options.ApiPort, HttpProtocols.Http1);

            // gRPC clients speak HTTP/2 with prior knowledge on a cleartext port; HTTP/2-only makes Kestrel accept that.
            Listen(kestrel, options.ListenAddress, options.OtlpGrpcPort, HttpProtocols.Http2);
            Listen(kestrel, options.ListenAddress, options.OtlpHttpPort, HttpProtocols.Http1);
        });
        return options;
    }

    private static bool IsLoopback(string address) =>
        address == "localhost" || (IPAddress.TryParse(address, out var ip) && IPAddress.IsLoopback(ip));

    private static void Listen(KestrelServerOptions kestrel, string address, int port, HttpProtocols protocols)
    {
        if (address == "localhost")
        {
            kestrel.ListenLocalhost(port, o => o.Protocols = protocols);
        }
        else
        {
            kestrel.Listen(IPAddress.Parse(address), port, o => o.Protocols = protocols);
        }
    }
}
