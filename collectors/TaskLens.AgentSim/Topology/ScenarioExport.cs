using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace TaskLens.AgentSim.Topology;

/// <summary>How a scenario reaches TaskLens: spans over OTLP, one exporter per service and version; alerts as Alertmanager's webhook.</summary>
internal static class ScenarioExport
{
    /// <summary>Tracer providers exporting over OTLP (gRPC, or HTTP protobuf to <paramref name="endpoint"/>), with the ingest key if any.</summary>
    public static Func<string, string, string, TracerProvider> Otlp(Uri endpoint, bool http, string? key) => (service, version, source) =>
        Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService(service, serviceVersion: version, autoGenerateServiceInstanceId: false))
            .AddSource(source)
            .SetSampler(new AlwaysOnSampler())
            .AddOtlpExporter(o =>
            {
                o.Endpoint = endpoint;
                o.Protocol = http ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
                if (key is not null)
                {
                    o.Headers = "Authorization=Bearer " + key;
                }

                // Minutes of history are emitted at once: the default queue (2,048 spans) would drop most of them.
                o.BatchExportProcessorOptions = new BatchExportProcessorOptions<Activity>
                {
                    MaxQueueSize = 1 << 20,
                    MaxExportBatchSize = 4096,
                    ScheduledDelayMilliseconds = 200,
                };
            })
            .Build()!;

    /// <summary>Posts the alerts in the order they started, one notification each, as Alertmanager's webhook receiver does.</summary>
    public static async Task SendAlertsAsync(HttpClient http, Uri webhook, string? token, IEnumerable<SimAlert> alerts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(alerts);
        foreach (var alert in alerts.OrderBy(a => a.StartsAt))
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, webhook) { Content = new StringContent(Payload(alert), Encoding.UTF8, "application/json") };
            if (token is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            using var response = await http.SendAsync(request, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new HttpRequestException(
                    $"{webhook} answered {(int)response.StatusCode} to alert {alert.Name}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
            }
        }
    }

    /// <summary>An Alertmanager webhook notification (version 4) carrying one firing alert.</summary>
    public static string Payload(SimAlert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var body = new
        {
            version = "4",
            status = "firing",
            receiver = "tasklens",
            groupLabels = new Dictionary<string, string> { ["alertname"] = alert.Name },
            commonLabels = alert.Labels,
            commonAnnotations = new Dictionary<string, string> { ["summary"] = alert.Summary },
            externalURL = "http://alertmanager:9093",
            alerts = new[]
            {
                new
                {
                    status = "firing",
                    labels = alert.Labels,
                    annotations = new Dictionary<string, string> { ["summary"] = alert.Summary },
                    startsAt = alert.StartsAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
                    endsAt = "0001-01-01T00:00:00Z",
                },
            },
        };
        return JsonSerializer.Serialize(body);
    }
}
