using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Grpc.AspNetCore.Server;
using Grpc.AspNetCore.Server.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Configuration;
using TaskLens.Core;
using TaskLens.Core.Ingest;
using TaskLens.Ingest.Receivers;
using TaskLens.Ingest.Spool;

namespace TaskLens.Ingest;

public static class IngestHostingExtensions
{
    public static IHostApplicationBuilder AddTaskLensIngest(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddValidatedOptions<IngestOptions>(builder.Configuration, IngestOptions.SectionName, o => o.Validate());
        builder.Services.AddSingleton<TenantResolver>();
        builder.Services.AddSingleton<AdmissionControl>();
        builder.Services.AddValidatedOptions<SpoolOptions>(builder.Configuration, SpoolOptions.SectionName, o => o.Validate());
        if (builder.Configuration.GetSection(SpoolOptions.SectionName).GetValue(nameof(SpoolOptions.Enabled), true))
        {
            builder.Services.AddSingleton<DiskSpool>();
            builder.Services.AddSingleton<SpoolDeadLetters>();
            builder.Services.AddSingleton<SpoolDrainer>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<SpoolDrainer>());
            builder.Services.AddSingleton(sp => new SpoolMonitor(
                sp.GetRequiredService<DiskSpool>(), sp.GetRequiredService<SpoolDrainer>(), sp.GetRequiredService<SpoolDeadLetters>()));
            builder.Services.AddSingleton<ISpoolFrontier>(sp => new SpoolFrontier(sp.GetRequiredService<DiskSpool>(), sp.GetRequiredService<SpoolDrainer>()));
        }

        builder.Services.AddSingleton<IngestMeter>();
        builder.Services.AddHealthChecks().AddCheck<SpoolReadiness>(SpoolReadiness.Name, tags: ["ready"]); // /readyz
        builder.Services.AddSingleton<IIngestHealth>(sp => sp.GetRequiredService<IngestMeter>());
        builder.Services.AddSingleton<ISelfMetrics>(sp => sp.GetRequiredService<IngestMeter>());
        builder.Services.AddSingleton<OtlpExport>();
        builder.Services.AddSingleton<OtlpGrpcReceiver>();
        builder.Services.AddSingleton<OtlpHttpReceiver>();
        if (builder.Configuration.GetSection(IngestOptions.SectionName).GetValue(nameof(IngestOptions.GrpcServer), GrpcServerKind.Framing) == GrpcServerKind.Standard)
        {
            // The server bounds each message as received; no response compression: an ExportResponse is a few bytes.
            builder.Services.AddGrpc();
            // gzip only, inflated under the call's admission lease and MaxRequestBytes (BudgetedGzipProvider).
            builder.Services.AddOptions<GrpcServiceOptions>().Configure<IOptions<IngestOptions>>((grpc, ingest) =>
            {
                grpc.MaxReceiveMessageSize = ingest.Value.MaxRequestBytes;
                grpc.CompressionProviders.Clear();
                grpc.CompressionProviders.Add(new BudgetedGzipProvider());
            });
            builder.Services.AddSingleton<OtlpGrpcService>();
            builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IServiceMethodProvider<OtlpGrpcService>, OtlpGrpcMethodProvider>());
            // Its per-call lines at Information (one per refused call) would flood the log under overload.
            builder.Logging.AddFilter("Grpc", LogLevel.Warning);
        }

        return builder;
    }

    /// <summary>
    /// Gives each OTLP port its own branch of the pipeline, chosen by the local port the request arrived on.
    /// The hot path stays a plain request delegate: no routing, no endpoint filters, no MediatR.
    /// </summary>
    public static IApplicationBuilder MapTaskLensIngest(this IApplicationBuilder app, int grpcPort, int httpPort)
    {
        ArgumentNullException.ThrowIfNull(app);
        var grpc = app.ApplicationServices.GetRequiredService<OtlpGrpcReceiver>();
        var http = app.ApplicationServices.GetRequiredService<OtlpHttpReceiver>();
        var options = app.ApplicationServices.GetRequiredService<IOptions<IngestOptions>>().Value;
        IngestBufferPool.Shared.RetainBytes = Math.Min(options.PooledBufferBytes, options.MaxBytesInFlight);
        if (options.OpenMode)
        {
            IngestLog.OpenMode(app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("TaskLens.Ingest"), Tenants.Default);
        }

        if (options.StandardGrpcBudgetIsTight)
        {
            IngestLog.StandardGrpcBudgetTight(
                app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("TaskLens.Ingest"), options.MaxBytesInFlight, options.MaxRequestBytes);
        }

        if (app.ApplicationServices.GetService<OtlpGrpcService>() is { } standard)
        {
            app.MapWhen(c => c.Connection.LocalPort == grpcPort, branch =>
            {
                // The branch routes on its own endpoints only: without this it would add the gRPC methods to the
                // application's global routes, and they would answer on every port.
                branch.Properties.Remove("__GlobalEndpointRouteBuilder");
                branch.Use(standard.AdmitAsync);
                branch.Use((context, next) =>
                {
                    // Routing at the pipeline's start may have chosen another port's endpoint (the dashboard's fallback).
                    context.SetEndpoint(null);
                    return next(context);
                });
                branch.UseRouting();
                branch.UseEndpoints(endpoints => endpoints.MapGrpcService<OtlpGrpcService>());
            });
        }
        else
        {
            app.MapWhen(c => c.Connection.LocalPort == grpcPort, branch => branch.Run(grpc.HandleAsync));
        }

        app.MapWhen(c => c.Connection.LocalPort == httpPort, branch => branch.Run(http.HandleAsync));
        return app;
    }
}
