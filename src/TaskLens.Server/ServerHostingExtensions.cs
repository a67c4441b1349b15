using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
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
        var options = builder.Configuration.GetSection(ServerOptions.SectionName).Get<ServerOptions>() ?? new ServerOptions();
        var errors = options.Validate().ToList();
        if (builder.Configuration.GetValue<bool>($"{IngestOptions.SectionName}:OpenMode") && !IsLoopback(options.ListenAddress))
        {
            errors.Add($"{IngestOptions.SectionName}:OpenMode accepts exports without a key, so it is allowed only on loopback; ListenAddress is '{options.ListenAddress}'.");
        }

        if (errors.Count > 0)
        {
            throw new InvalidOperationException(
                $"Invalid {ServerOptions.SectionName} configuration:{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", errors));
        }

        builder.Services.AddSingleton(options);
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
