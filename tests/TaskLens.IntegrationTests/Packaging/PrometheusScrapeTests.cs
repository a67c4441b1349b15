using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using TaskLens.IntegrationTests.Infrastructure;

namespace TaskLens.IntegrationTests.Packaging;

/// <summary>
/// The compose file's Prometheus config (<c>collectors/prometheus-tasklens.yml</c>), run by a real Prometheus (Debian's
/// <c>prometheus</c>, installed by <c>./build.sh test</c>) against a TaskLens outside open mode: with the token in the
/// credentials file the config names, the target is up and TaskLens's series are stored.
/// </summary>
[Collection(ClickHouseCollection.Name)]
public sealed class PrometheusScrapeTests(ClickHouseFixture clickHouse)
{
    private const string Binary = "/usr/bin/prometheus";
    private const string MetricsToken = "prometheus-scrape-token-0123456789";

    [Fact]
    public async Task ComposePrometheusConfig_WithTheMetricsToken_ScrapesTaskLens()
    {
        Assert.True(File.Exists(Binary), $"{Binary} is missing: ./build.sh test installs the Debian package prometheus");
        await using var host = await TaskLensHost.StartAsync(clickHouse, new Dictionary<string, string?>
        {
            ["TaskLens:Ingest:OpenMode"] = "false",
            ["TaskLens:Ingest:ApiKeys:0:Key"] = "prometheus-ingest-key-0123456789",
            ["TaskLens:Ingest:ApiKeys:0:Tenant"] = "acme",
            ["TaskLens:Server:MetricsToken"] = MetricsToken,
        });
        var directory = Directory.CreateTempSubdirectory("tasklens-prometheus-").FullName;
        try
        {
            // The config as compose mounts it, with the target and the token's file where this test has them.
            var shipped = await File.ReadAllTextAsync(RepositoryFiles.Path("collectors", "prometheus-tasklens.yml"));
            Assert.Contains("credentials_file: /prometheus/tasklens-metrics-token", shipped, StringComparison.Ordinal);
            Assert.Contains("- targets: [\"tasklens:8080\"]", shipped, StringComparison.Ordinal);
            var tokenFile = Path.Combine(directory, "token");
            await File.WriteAllTextAsync(tokenFile, MetricsToken);
            var config = Path.Combine(directory, "prometheus.yml");
            await File.WriteAllTextAsync(config, shipped
                .Replace("/prometheus/tasklens-metrics-token", tokenFile, StringComparison.Ordinal)
                .Replace("tasklens:8080", host.Api.BaseAddress!.Authority, StringComparison.Ordinal)
                .Replace("scrape_interval: 15s", "scrape_interval: 1s", StringComparison.Ordinal));

            var port = FreePorts.Take(1)[0];
            using var prometheus = ChildProcess.StartQuiet(new ProcessStartInfo(Binary)
            {
                ArgumentList =
                {
                    "--config.file=" + config,
                    "--storage.tsdb.path=" + Path.Combine(directory, "data"),
                    string.Create(CultureInfo.InvariantCulture, $"--web.listen-address=127.0.0.1:{port}"),
                },
            });
            try
            {
                using var api = new HttpClient { BaseAddress = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}")) };

                Assert.Equal("1", await QueryUntilAsync(api, "up{job=\"tasklens\"}", value => value == "1"));
                Assert.NotNull(await QueryUntilAsync(api, "tasklens_spool_pending_bytes{job=\"tasklens\"}", value => value is not null));
            }
            finally
            {
                prometheus.Kill();
                await prometheus.WaitForExitAsync();
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>The first sample's value of an instant query, once <paramref name="done"/> holds (null: no sample).</summary>
    private static async Task<string?> QueryUntilAsync(HttpClient api, string query, Func<string?, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        string? value = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var document = JsonDocument.Parse(await api.GetStringAsync(new Uri("/api/v1/query?query=" + Uri.EscapeDataString(query), UriKind.Relative)));
                var result = document.RootElement.GetProperty("data").GetProperty("result");
                value = result.GetArrayLength() == 0 ? null : result[0].GetProperty("value")[1].GetString();
                if (done(value))
                {
                    return value;
                }
            }
            catch (HttpRequestException)
            {
                // Still starting.
            }

            await Task.Delay(500);
        }

        return value;
    }
}
