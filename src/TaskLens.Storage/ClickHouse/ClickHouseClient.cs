using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;

namespace TaskLens.Storage.ClickHouse;

/// <summary>
/// ClickHouse over its HTTP interface (no .NET ClickHouse package is obtainable here): SQL in the request body,
/// results in <c>FORMAT JSONEachRow</c>, inserts streamed as RowBinary. Transient failures are retried with exponential
/// backoff and jitter; errors in the query itself are not. One instance is shared and reuses its connections.
/// </summary>
public sealed class ClickHouseClient : IDisposable
{
    private static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(2);

    private readonly HttpClient _http;
    private readonly ClickHouseOptions _options;
    private readonly ILogger<ClickHouseClient> _logger;
    private ClickHouseServerVersion? _version;

    public ClickHouseClient(HttpClient http, ClickHouseOptions options, ILogger<ClickHouseClient> logger)
    {
        _http = http;
        _options = options;
        _logger = logger;
    }

    /// <summary>Where inserts are timed and their failures counted (<c>/metrics</c>); none outside the server.</summary>
    internal StorageMeter? Meter { get; init; }

    /// <summary>A handler that keeps connections open for reuse and notices when the server behind them changes.</summary>
    public static SocketsHttpHandler CreateHandler() => new()
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        ConnectTimeout = TimeSpan.FromSeconds(5),
        AutomaticDecompression = DecompressionMethods.None,
    };

    /// <summary>Runs a statement that returns no rows (DDL, INSERT … VALUES).</summary>
    public Task ExecuteAsync(string sql, CancellationToken cancellationToken, bool useDatabase = true) =>
        WithRetriesAsync(
            async ct =>
            {
                using var request = CreateRequest(useDatabase, query: null, WriteSettings());
                request.Content = new StringContent(sql, Encoding.UTF8);
                using var response = await SendAsync(request, ct);
                return true;
            },
            cancellationToken);

    /// <summary>
    /// Runs a SELECT and maps each row; the statement must not carry its own FORMAT clause. The answer is read one row
    /// at a time (<c>JSONEachRow</c>), never parsed whole, and the query runs read-only with ClickHouse's own time limit
    /// (<c>max_execution_time</c>, the request timeout), so a heavy read stops on the server too. A read that ran out of
    /// time, or whose caller has gone, is not tried again.
    /// </summary>
    public Task<List<T>> QueryAsync<T>(string sql, Func<ClickHouseRow, T> map, CancellationToken cancellationToken, bool useDatabase = true) =>
        QueryAsync(sql, map, ReadSettings(), useDatabase, cancellationToken);

    /// <summary>
    /// A read of TaskLens's own maintenance that needs a table function, such as <c>cluster(…, system.parts)</c>: 18.16
    /// refuses every table function to a <c>readonly</c> query. Never for SQL a request shaped.
    /// </summary>
    internal Task<List<T>> QueryWithTableFunctionAsync<T>(string sql, Func<ClickHouseRow, T> map, CancellationToken cancellationToken) =>
        QueryAsync(sql, map, ReadSettings(readOnly: false), useDatabase: true, cancellationToken);

    private Task<List<T>> QueryAsync<T>(string sql, Func<ClickHouseRow, T> map, string settings, bool useDatabase, CancellationToken cancellationToken) =>
        WithRetriesAsync(
            async ct =>
            {
                using var request = CreateRequest(useDatabase, query: null, settings);
                request.Content = new StringContent(sql + "\nFORMAT JSONEachRow", Encoding.UTF8);
                using var response = await SendAsync(request, ct);
                await using var body = await response.Content.ReadAsStreamAsync(ct);
                return await ClickHouseRows.ReadAsync(body, map, ct);
            },
            cancellationToken,
            isRead: true);

    /// <summary>
    /// <c>INSERT INTO table (columns) FORMAT RowBinary</c> with the body streamed by <paramref name="writeRows"/>, sent
    /// chunked. The rule for the two send modes: rows already encoded (a <see cref="RowBinaryWriter"/>, or several) go
    /// with their length, because it is known; this delegate form is for bodies whose length is not known before they
    /// are sent (a file streamed, rows produced while sending). The delegate runs again on a retry, so it must write the
    /// same rows each time.
    /// </summary>
    public Task InsertRowBinaryAsync(
        string table,
        IReadOnlyList<string> columns,
        Func<Stream, CancellationToken, Task> writeRows,
        CancellationToken cancellationToken) =>
        InsertRowBinaryAsync(table, columns, writeRows, length: null, cancellationToken);

    /// <summary>
    /// <c>INSERT INTO table (columns) FORMAT RowBinary</c> of rows already encoded, sent with their length
    /// (<c>Content-Length</c>) rather than chunked: each of the body's segments then goes to the socket in one write,
    /// where a chunk took two (its framing, then its bytes) — half the <c>sendto</c> calls of an insert.
    /// </summary>
    public Task InsertRowBinaryAsync(string table, IReadOnlyList<string> columns, RowBinaryWriter rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return InsertRowBinaryAsync(table, columns, rows.CopyToAsync, rows.Length, cancellationToken);
    }

    /// <summary>
    /// One insert of several runs of encoded rows, one after the other (the drainer's runs of exports), sent with their
    /// total length as <see cref="InsertRowBinaryAsync(string, IReadOnlyList{string}, RowBinaryWriter, CancellationToken)"/>.
    /// </summary>
    public Task InsertRowBinaryAsync(string table, IReadOnlyList<string> columns, IReadOnlyList<RowBinaryWriter> runs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runs);
        long length = 0;
        foreach (var rows in runs)
        {
            length += rows.Length;
        }

        return InsertRowBinaryAsync(table, columns, async (stream, ct) =>
        {
            foreach (var rows in runs)
            {
                await rows.CopyToAsync(stream, ct);
            }
        }, length, cancellationToken);
    }

    private Task InsertRowBinaryAsync(string table, IReadOnlyList<string> columns, Func<Stream, CancellationToken, Task> writeRows, long? length, CancellationToken cancellationToken)
    {
        var names = new StringBuilder();
        foreach (var column in columns)
        {
            names.Append(names.Length == 0 ? string.Empty : ", ").Append(ClickHouseSql.Identifier(column));
        }

        var query = $"INSERT INTO {ClickHouseSql.Identifier(table)} ({names}) FORMAT RowBinary";
        return TimedAsync(table, () => WithRetriesAsync(
            async ct =>
            {
                using var request = CreateRequest(useDatabase: true, query, WriteSettings());
                request.Content = new StreamingContent(writeRows, length);
                using var response = await SendAsync(request, ct);
                return true;
            },
            cancellationToken,
            insertInto: table));
    }

    private async Task TimedAsync(string table, Func<Task<bool>> insert)
    {
        var started = Stopwatch.GetTimestamp();
        await insert();
        Meter?.Inserted(table, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>The server's version, asked once.</summary>
    public async Task<ClickHouseServerVersion> GetServerVersionAsync(CancellationToken cancellationToken)
    {
        if (_version is not null)
        {
            return _version;
        }

        // Asked without the database, which may not exist yet.
        var rows = await QueryAsync("SELECT version() AS v", row => row.GetString("v"), cancellationToken, useDatabase: false);
        if (rows.Count != 1 || !ClickHouseServerVersion.TryParse(rows[0], out var version))
        {
            throw new ClickHouseException($"Unrecognised ClickHouse version '{string.Join(",", rows)}'.");
        }

        return _version = version;
    }

    /// <summary>Whether the server answers <c>/ping</c> now; never throws for an unreachable server.</summary>
    public async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(PingTimeout);
        try
        {
            using var response = await _http.GetAsync(new Uri(BaseUri(), "ping"), timeout.Token);
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return false;
        }
    }

    public void Dispose() => _http.Dispose();

    /// <param name="insertInto">The table of an insert, whose failed attempts are counted.</param>
    private async Task<T> WithRetriesAsync<T>(Func<CancellationToken, Task<T>> attempt, CancellationToken cancellationToken, bool isRead = false, string? insertInto = null)
    {
        for (var tries = 0; ; tries++)
        {
            ClickHouseException failure;
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                timeout.CancelAfter(_options.RequestTimeout);
                try
                {
                    return await attempt(timeout.Token);
                }
                catch (ClickHouseException e)
                {
                    failure = e;
                }
                catch (HttpRequestException e)
                {
                    failure = new ClickHouseException(0, $"ClickHouse unreachable: {e.Message}", null, e);
                }
                catch (IOException e)
                {
                    failure = new ClickHouseException(0, $"Connection to ClickHouse failed: {e.Message}", null, e);
                }
                catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
                {
                    failure = new ClickHouseException(
                        0,
                        $"ClickHouse did not answer within {_options.RequestTimeout.TotalSeconds:0.#} s",
                        null,
                        new TimeoutException(e.Message, e));
                }
            }

            // A read that ran out of time (ClickHouse's max_execution_time, or ours) would only run out of time again.
            var givingUp = !failure.IsTransient || tries >= _options.MaxRetries
                || (isRead && (failure.Code == ClickHouseException.TimeoutExceeded || failure.InnerException is TimeoutException));
            if (insertInto is not null)
            {
                Meter?.InsertFailed(insertInto, retried: !givingUp && !cancellationToken.IsCancellationRequested);
            }

            if (givingUp)
            {
                throw failure;
            }

            cancellationToken.ThrowIfCancellationRequested();

            // Exponential backoff with full jitter, so nodes retrying together do not arrive together.
            var ceiling = _options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, tries);
            var delay = TimeSpan.FromMilliseconds(ceiling * (0.5 + (Random.Shared.NextDouble() / 2)));
            StorageLog.Retrying(_logger, tries + 1, _options.MaxRetries, delay.TotalMilliseconds, failure.Code, failure.ServerMessage);
            await Task.Delay(delay, cancellationToken);
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            response.Headers.TryGetValues("X-ClickHouse-Exception-Code", out var codes);
            throw ClickHouseException.FromResponse((int)response.StatusCode, codes?.FirstOrDefault(), body);
        }
    }

    /// <summary>
    /// Settings of every read, in the URL. Both are known to ClickHouse 18.16 (an unknown one is an error there), and
    /// <c>readonly</c> comes last: once applied, it refuses changes to the settings after it. The server's limit is a
    /// second under ours, so it stops the query and says so before we give up on the answer.
    /// </summary>
    /// <remarks>
    /// In cluster mode, <c>distributed_product_mode=local</c>: an IN or JOIN over a Distributed table inside a query over
    /// one runs against each shard's local table. Shards hold whole traces (ClusterSchema's sharding key), which is
    /// what those subqueries join on; without it 18.16 refuses them on more than one shard.
    /// </remarks>
    private string ReadSettings(bool readOnly = true) =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"{(_options.IsCluster ? "distributed_product_mode=local&" : "")}max_execution_time={Math.Max(1, (int)Math.Ceiling(_options.RequestTimeout.TotalSeconds) - 1)}{(readOnly ? "&readonly=1" : "")}");

    /// <summary>
    /// In cluster mode, an insert into a Distributed table returns once each shard has the rows (one replica; the
    /// others fetch them), not once they wait in a queue on this server: only then is the spool's copy safe to drop.
    /// </summary>
    private string? WriteSettings() => _options.IsCluster ? "insert_distributed_sync=1" : null;

    private HttpRequestMessage CreateRequest(bool useDatabase, string? query, string? settings = null)
    {
        var parameters = new StringBuilder();
        if (useDatabase)
        {
            parameters.Append("database=").Append(Uri.EscapeDataString(_options.Database));
        }

        if (settings is not null)
        {
            parameters.Append(parameters.Length == 0 ? string.Empty : "&").Append(settings);
        }

        if (query is not null)
        {
            parameters.Append(parameters.Length == 0 ? string.Empty : "&").Append("query=").Append(Uri.EscapeDataString(query));
        }

        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(BaseUri(), "?" + parameters));

        // Headers rather than URL parameters keep the password out of proxy and server access logs.
        request.Headers.Add("X-ClickHouse-User", _options.User);
        if (_options.Password.Length > 0)
        {
            request.Headers.Add("X-ClickHouse-Key", _options.Password);
        }

        return request;
    }

    private Uri BaseUri()
    {
        var url = _options.Url ?? throw new InvalidOperationException("TaskLens:ClickHouse:Url is not set and no embedded server supplied one.");
        return new Uri(url.EndsWith('/') ? url : url + "/");
    }

    /// <summary>
    /// A request body written by a delegate straight into the connection, never buffered whole: with its length when
    /// known beforehand, chunked otherwise.
    /// </summary>
    private sealed class StreamingContent(Func<Stream, CancellationToken, Task> write, long? length) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            write(stream, CancellationToken.None);

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
            write(stream, cancellationToken);

        protected override bool TryComputeLength(out long computed)
        {
            computed = length ?? 0;
            return length is not null;
        }
    }
}
