using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using TaskLens.IntegrationTests.Infrastructure;

namespace TaskLens.IntegrationTests.Traces;

/// <summary>RED figures per service operation, for every span, with a retried export counted once.</summary>
[Collection(ClickHouseCollection.Name)]
public sealed class OperationApiTests(ClickHouseFixture clickHouse)
{
    [Fact]
    public async Task Operations_CountEachSpanOnce_EvenWhenAnExportIsRetried()
    {
        await using var host = await TaskLensHost.StartAsync(clickHouse);
        var minute = (DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 60 * 60) - 120;
        var export = Export(minute);
        using var http = new HttpClient();
        for (var attempt = 0; attempt < 2; attempt++)
        {
            using var response = await http.PostAsync(host.HttpTracesEndpoint, new StringContent(export, Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await host.WaitForStoredAsync();
        using var operations = await GetAsync(host, "/api/services/checkout/operations");
        var byName = operations.RootElement.GetProperty("operations").EnumerateArray().ToDictionary(o => o.GetProperty("operation").GetString()!);

        Assert.Equal(["GET /cart", "SELECT carts"], byName.Keys.Order(StringComparer.Ordinal));
        var cart = byName["GET /cart"];
        Assert.Equal((10, 2, 0.2), (cart.GetProperty("spans").GetInt32(), cart.GetProperty("errors").GetInt32(), cart.GetProperty("errorRate").GetDouble()));
        Assert.Equal(10 / 3600.0, cart.GetProperty("ratePerSecond").GetDouble(), 9);
        Assert.InRange(cart.GetProperty("durationMs").GetProperty("p50").GetDouble(), 50, 60);
        Assert.InRange(cart.GetProperty("durationMs").GetProperty("p99").GetDouble(), 90, 100);
        Assert.Equal((5, 0), (byName["SELECT carts"].GetProperty("spans").GetInt32(), byName["SELECT carts"].GetProperty("errors").GetInt32()));

        using var series = await GetAsync(host, "/api/services/checkout/series?operation=GET%20/cart&step=5m");
        var point = Assert.Single(series.RootElement.GetProperty("points").EnumerateArray());
        Assert.Equal((10, minute / 300 * 300), (point.GetProperty("spans").GetInt32(), point.GetProperty("time").GetDateTimeOffset().ToUnixTimeSeconds()));
        using var whole = await GetAsync(host, "/api/services/checkout/series");
        Assert.Equal(15, whole.RootElement.GetProperty("points").EnumerateArray().Sum(p => p.GetProperty("spans").GetInt32()));

        using var bad = await host.Api.GetAsync(new Uri("/api/services/checkout/series?step=30s", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    /// <summary>Ten <c>GET /cart</c> spans of 10-100 ms (two failed) and five <c>SELECT carts</c>, all in one minute.</summary>
    private static string Export(long minute)
    {
        var spans = new List<string>();
        for (var i = 1; i <= 15; i++)
        {
            var start = (minute + 10) * 1_000_000_000L + (i * 1_000_000L);
            var cart = i <= 10;
            var end = start + ((cart ? i * 10 : 5) * 1_000_000L);
            var status = cart && i % 5 == 0 ? """, "status": {"code": 2, "message": "500"}""" : "";
            spans.Add(string.Create(CultureInfo.InvariantCulture,
                $$"""{"traceId": "{{i:x32}}", "spanId": "{{i:x16}}", "name": "{{(cart ? "GET /cart" : "SELECT carts")}}", "startTimeUnixNano": "{{start}}", "endTimeUnixNano": "{{end}}"{{status}}}"""));
        }

        return $$$"""{"resourceSpans": [{"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "checkout"}}]}, "scopeSpans": [{"spans": [{{{string.Join(", ", spans)}}}]}]}]}""";
    }

    private static async Task<JsonDocument> GetAsync(TaskLensHost host, string path)
    {
        using var response = await host.Api.GetAsync(new Uri(path, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body);
    }
}
