using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging.Console;
using TaskLens.Core;
using TaskLens.Ingest;
using TaskLens.Server.Access;
using TaskLens.Server.AlertIntake;
using TaskLens.Server.EmbeddedClickHouse;
using TaskLens.Server.Hosting;

namespace TaskLens.Server;

internal static class ServerHostingExtensions
{
    /// <summary>ASP.NET Core's host filtering setting: <c>;</c>-separated host names answered, <c>*</c> for any.</summary>
    public const string AllowedHostsKey = "AllowedHosts";

    /// <summary>
    /// What only the executable has: binds <see cref="ServerOptions"/> and opens the three listeners (failing start-up
    /// listing every error), supervises the embedded ClickHouse when no URL is configured, the webhook endpoints'
    /// token check, and sign-in on the API port (<see cref="AccessHostingExtensions.AddTaskLensServerAccess"/>). Call first, so the embedded ClickHouse is up before storage's schema migrator runs.
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
        builder.Logging.AddConsole(o => o.FormatterName = SingleLineLogFormatter.Name).AddConsoleFormatter<SingleLineLogFormatter, ConsoleFormatterOptions>();

        // On loopback (open mode included) only loopback names are answered: a web page whose DNS name is rebound to
        // 127.0.0.1 sends its own name as Host and is refused (400), so it cannot reach the API through a browser.
        if (string.IsNullOrEmpty(builder.Configuration[AllowedHostsKey]) && IsLoopback(options.ListenAddress))
        {
            builder.Configuration[AllowedHostsKey] = "localhost;127.0.0.1;[::1]";
        }

        var certificate = options.CertificatePath is { Length: > 0 } ? options.LoadCertificate(out _) : null;
        builder.AddTaskLensServerAccess();
        // 16 KiB receive blocks: a body arrives in a quarter of the reads (docs/ingest.md, "Kernel time and copies").
        builder.Services.AddSingleton<IMemoryPoolFactory<byte>, LargeBlockMemoryPoolFactory>();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // Ingest enforces its own body limit after decompression (TaskLens:Ingest:MaxRequestBytes).
            kestrel.Limits.MaxRequestBodySize = null;
            Listen(kestrel, options.ListenAddress, options.ApiPort, HttpProtocols.Http1, certificate);

            // gRPC clients speak HTTP/2 with prior knowledge on a cleartext port; HTTP/2-only makes Kestrel accept that.
            // With TLS, HTTP/2 is agreed by ALPN instead.
            Listen(kestrel, options.ListenAddress, options.OtlpGrpcPort, HttpProtocols.Http2, certificate);
            Listen(kestrel, options.ListenAddress, options.OtlpHttpPort, certificate is null ? HttpProtocols.Http1 : HttpProtocols.Http1AndHttp2, certificate);
        });
        return options;
    }

    /// <summary>
    /// Headers on every answer: <c>X-Content-Type-Options: nosniff</c>, so a browser never reads an API answer (which
    /// carries sender-chosen text) as HTML or script.
    /// </summary>
    public static WebApplication UseTaskLensServer(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            context.Response.Headers.XContentTypeOptions = "nosniff";
            return next(context);
        });
        return app;
    }

    private static bool IsLoopback(string address) =>
        address == "localhost" || (IPAddress.TryParse(address, out var ip) && IPAddress.IsLoopback(ip));

    private static void Listen(KestrelServerOptions kestrel, string address, int port, HttpProtocols protocols, X509Certificate2? certificate)
    {
        void Configure(ListenOptions listen)
        {
            listen.Protocols = protocols;
            if (certificate is not null)
            {
                listen.UseHttps(certificate);
            }
        }

        if (address == "localhost")
        {
            kestrel.ListenLocalhost(port, Configure);
        }
        else
        {
            kestrel.Listen(IPAddress.Parse(address), port, Configure);
        }
    }
}
