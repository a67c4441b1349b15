using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace TaskLens.Benchmarks.Traces;

/// <summary>
/// ClickHouse's own figures for one query: the statistics block of <c>FORMAT JSON</c> (18.16 has them; its
/// <c>system.query_log</c> exists only when configured, which the embedded server is not), from running the query again.
/// </summary>
internal sealed record TraceQueryStats(double ElapsedMs, ulong RowsRead, ulong BytesRead)
{
    private const string RowsFormat = "\nFORMAT JSONEachRow";

    public static async Task<TraceQueryStats> MeasureAsync(HttpClient http, Uri clickHouse, string password, string sql)
    {
        var text = sql.EndsWith(RowsFormat, StringComparison.Ordinal) ? sql[..^RowsFormat.Length] : sql;
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(clickHouse, "?database=tasklens&readonly=1"))
        {
            Content = new StringContent(text + "\nFORMAT JSON", Encoding.UTF8),
        };
        request.Headers.Add("X-ClickHouse-User", "default");
        request.Headers.Add("X-ClickHouse-Key", password);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"ClickHouse answered {(int)response.StatusCode}: {body[..Math.Min(body.Length, 500)]}");
        }

        using var json = JsonDocument.Parse(body);
        var statistics = json.RootElement.GetProperty("statistics");
        return new TraceQueryStats(
            statistics.GetProperty("elapsed").GetDouble() * 1000,
            ReadCount(statistics.GetProperty("rows_read")),
            ReadCount(statistics.GetProperty("bytes_read")));
    }

    // 64-bit counts come as strings or numbers depending on output_format_json_quote_64bit_integers.
    private static ulong ReadCount(JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? ulong.Parse(value.GetString()!, CultureInfo.InvariantCulture) : value.GetUInt64();
}
