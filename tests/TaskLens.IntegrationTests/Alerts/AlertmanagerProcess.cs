using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using TaskLens.IntegrationTests.Infrastructure;

namespace TaskLens.IntegrationTests.Alerts;

/// <summary>
/// A real Prometheus Alertmanager (Debian's <c>prometheus-alertmanager</c>, installed by <c>./build.sh test</c>) on
/// loopback, clustering off, whose one webhook receiver is TaskLens; it groups by alert name and notifies within a
/// second of a change, resolved alerts included.
/// </summary>
internal sealed class AlertmanagerProcess : IAsyncDisposable
{
    private const string Binary = "/usr/bin/prometheus-alertmanager";
    private readonly Process _process;
    private readonly string _directory;

    private AlertmanagerProcess(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
    }

    public HttpClient Api { get; }

    public static async Task<AlertmanagerProcess> StartAsync(string webhookUrl, string bearerToken)
    {
        Assert.True(File.Exists(Binary), $"{Binary} is missing: ./build.sh test installs the Debian package prometheus-alertmanager");
        var directory = Directory.CreateTempSubdirectory("tasklens-alertmanager-").FullName;
        var config = Path.Combine(directory, "alertmanager.yml");
        await File.WriteAllTextAsync(config, string.Create(CultureInfo.InvariantCulture, $"""
            route:
              receiver: tasklens
              group_by: ['alertname']
              group_wait: 1s
              group_interval: 1s
              repeat_interval: 1h
            receivers:
              - name: tasklens
                webhook_configs:
                  - url: '{webhookUrl}'
                    send_resolved: true
                    http_config:
                      authorization:
                        type: Bearer
                        credentials: '{bearerToken}'
            """));
        var port = FreePorts.Take(1)[0];
        var start = new ProcessStartInfo(Binary)
        {
            ArgumentList =
            {
                "--config.file=" + config,
                "--storage.path=" + Path.Combine(directory, "data"),
                $"--web.listen-address=127.0.0.1:{port}",
                "--cluster.listen-address=",
            },
        };
        var process = ChildProcess.StartQuiet(start);
        var alertmanager = new AlertmanagerProcess(process, directory, port);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                using var ready = await alertmanager.Api.GetAsync("/-/ready");
                if (ready.IsSuccessStatusCode)
                {
                    return alertmanager;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            Assert.False(process.HasExited, "Alertmanager exited at start");
            Assert.True(DateTime.UtcNow < deadline, "Alertmanager did not become ready");
            await Task.Delay(100);
        }
    }

    /// <summary>Posts alerts through Alertmanager's v2 API, as Prometheus does.</summary>
    public async Task PostAsync(params object[] alerts)
    {
        using var response = await Api.PostAsJsonAsync("/api/v2/alerts", alerts);
        response.EnsureSuccessStatusCode();
    }

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
