using System.Globalization;
using TaskLens.Storage.ClickHouse;

namespace TaskLens.Benchmarks.Traces;

/// <summary>
/// 10 million stored spans shaped like the load run's SDK traffic, made by ClickHouse itself (INSERT … SELECT FROM
/// numbers()) through the spans table and so through all its views: 100,000 traces of 100 spans across 10 services,
/// each lasting up to 3 s, started over 10 minutes (about 17,000 spans a second, as under real load), with 15
/// attributes per span. Trace ids are two multiplicative hashes of the trace number, 16 bytes each, so they are spread as random ids are.
/// </summary>
internal static class TraceLookupData
{
    public const int Traces = 100_000;
    public const int SpansPerTrace = 100;
    public const int WindowSeconds = 600;

    public static async Task FillAsync(ClickHouseClient clickHouse, long nowSeconds)
    {
        // In chunks, so each insert (and the views it feeds) stays within memory on a small machine.
        const long chunk = 1_000_000;
        for (long first = 0; first < (long)Traces * SpansPerTrace; first += chunk)
        {
            await clickHouse.ExecuteAsync(Spans(first, chunk, nowSeconds), CancellationToken.None);
        }
    }

    /// <summary>
    /// Spans <paramref name="first"/>… of the numbers: span k of trace t. Spans of one trace are spread over the whole
    /// run of the trace and its services, as an SDK's batches deliver them.
    /// </summary>
    private static string Spans(long first, long count, long nowSeconds) => string.Create(CultureInfo.InvariantCulture, $"""
        INSERT INTO spans (tenant, timestamp, service_name, name, trace_id, span_id, parent_span_id, kind,
                           start_time_unix_nano, end_time_unix_nano, duration_ns, status_code, status_message,
                           attr_keys, attr_types, attr_values, resource_attr_keys, resource_attr_types, resource_attr_values,
                           scope_name, scope_version, ingested_at)
        SELECT 'default', toDateTime(intDiv(start_ns, 1000000000)), svc,
               arrayElement(['POST /api/orders', 'GET', 'SELECT orders', 'chat gpt-4o', 'execute_tool web_search', 'render'], k % 6 + 1),
               toFixedString(unhex(concat({Hex16("bitXor(t * 11400714819323198485, 14029467366897019727)")}, {Hex16("bitXor(t * 11400714819323198485, 9612190660084487838)")})), 16),
               toFixedString(unhex(hex(toUInt64(bitXor(t * 1000 + k, 6148914691236517205)))), 8),
               if(k = 0, toFixedString('', 8), toFixedString(unhex(hex(toUInt64(bitXor(t * 1000 + intDiv(k, 10), 6148914691236517205)))), 8)),
               if(k = 0, 2, 3), start_ns, start_ns + dur, dur, if(k % 20 = 19, 2, 0), if(k % 20 = 19, 'upstream timed out', ''),
               ['http.request.method', 'http.route', 'url.path', 'server.address', 'server.port', 'http.response.status_code',
                'thread.id', 'thread.name', 'code.namespace', 'code.function', 'db.system', 'db.query.text', 'gen_ai.request.model',
                'gen_ai.usage.input_tokens', 'gen_ai.usage.output_tokens'],
               [1, 1, 1, 1, 3, 3, 3, 1, 1, 1, 1, 1, 1, 3, 3],
               ['POST', '/api/orders/:id', concat('/api/orders/', toString(number % 100000)), concat(svc, '.shop.svc.cluster.local'), '8080',
                if(k % 20 = 19, '503', '200'), toString(number % 64), concat('.NET TP Worker #', toString(number % 64)), 'Shop.Api.OrdersController',
                'Post', 'postgresql', concat('SELECT id, total FROM orders WHERE customer_id = $1 LIMIT ', toString(number % 90 + 10)), 'gpt-4o',
                toString(number % 3800 + 200), toString(number % 780 + 20)],
               ['service.name', 'service.version', 'service.instance.id', 'host.name', 'telemetry.sdk.language', 'deployment.environment.name'],
               [1, 1, 1, 1, 1, 1],
               [svc, '2.7.1', concat(svc, '-7d9f8b6c4-x2k9q'), concat('node-', toString(t % 10)), 'dotnet', 'production'],
               'OpenTelemetry.Instrumentation.AspNetCore', '1.9.0', toDateTime({nowSeconds})
        FROM
        (
            SELECT number, intDiv(number, {SpansPerTrace}) AS t, number % {SpansPerTrace} AS k,
                   arrayElement(['frontend', 'checkout', 'cart', 'payments', 'inventory', 'shipping', 'recommendations', 'support-agent', 'research-agent', 'notifications'], (t + k * 7) % 10 + 1) AS svc,
                   toUInt64({nowSeconds - WindowSeconds - 10} * 1000000000 + t * {WindowSeconds * 1_000_000_000L / Traces} + (k * 7919 + t) % 3000 * 1000000) AS start_ns,
                   toUInt64(1000000 + (k * 13) % 50 * 1000000) AS dur
            FROM numbers({first}, {count})
        )
        """);

    /// <summary>16 hex digits of a UInt64 expression: hex() drops leading zero bytes, so each half is offset by 2^32 and cut.</summary>
    private static string Hex16(string value) =>
        $"concat(substring(hex(bitShiftRight({value}, 32) + 4294967296), 3), substring(hex(bitAnd({value}, 4294967295) + 4294967296), 3))";
}
