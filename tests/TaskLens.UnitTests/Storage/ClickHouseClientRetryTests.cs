using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using TaskLens.Storage.ClickHouse;

namespace TaskLens.UnitTests.Storage;

/// <summary>Retry policy, with an in-process handler standing in for the network (no sockets in unit tests).</summary>
public sealed class ClickHouseClientRetryTests
{
    [Fact]
    public async Task ExecuteAsync_TransientFailuresThenSuccess_Retries()
    {
        var handler = new ScriptedHandler(
            _ => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable),
            _ => throw new HttpRequestException("connection refused"),
            _ => new HttpResponseMessage(HttpStatusCode.InternalServerError) { Content = new StringContent("Code: 202, e.displayText() = DB::Exception: Too many simultaneous queries") },
            _ => new HttpResponseMessage(HttpStatusCode.OK));
        using var client = Client(handler, maxRetries: 3);

        await client.ExecuteAsync("SELECT 1", CancellationToken.None);

        Assert.Equal(4, handler.Calls);
    }

    [Fact]
    public async Task ExecuteAsync_QueryError_IsNotRetried()
    {
        var handler = new ScriptedHandler(_ => new HttpResponseMessage(HttpStatusCode.BadRequest)
        {
            Content = new StringContent("Code: 62, e.displayText() = DB::Exception: Syntax error, e.what() = DB::Exception"),
        });
        using var client = Client(handler, maxRetries: 3);

        var e = await Assert.ThrowsAsync<ClickHouseException>(() => client.ExecuteAsync("SELEC 1", CancellationToken.None));

        Assert.Equal((62, 1), (e.Code, handler.Calls));
    }

    [Fact]
    public async Task ExecuteAsync_StillFailingAfterRetries_ThrowsTheLastFailure()
    {
        var handler = new ScriptedHandler(_ => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));
        using var client = Client(handler, maxRetries: 2);

        var e = await Assert.ThrowsAsync<ClickHouseException>(() => client.ExecuteAsync("SELECT 1", CancellationToken.None));

        Assert.Equal((503, 3), (e.HttpStatus, handler.Calls));
    }

    [Fact]
    public async Task Requests_CarryDatabaseAndCredentialsButNoPasswordInUrl()
    {
        HttpRequestMessage? seen = null;
        var handler = new ScriptedHandler(r =>
        {
            seen = r;
            return new HttpResponseMessage(HttpStatusCode.OK);
        });
        using var client = new ClickHouseClient(
            new HttpClient(handler),
            new ClickHouseOptions { Url = "http://ch:8123", Database = "db1", User = "u", Password = "secret" },
            NullLogger<ClickHouseClient>.Instance);

        await client.ExecuteAsync("SELECT 1", CancellationToken.None);

        Assert.Equal("http://ch:8123/?database=db1", seen!.RequestUri!.ToString());
        Assert.Equal("u", seen.Headers.GetValues("X-ClickHouse-User").Single());
        Assert.Equal("secret", seen.Headers.GetValues("X-ClickHouse-Key").Single());
    }

    [Fact]
    public async Task QueryAsync_ReadThatRanOutOfTime_IsNotRetried_ButAnInsertIs()
    {
        static HttpResponseMessage TimedOut(HttpRequestMessage _) => new(HttpStatusCode.InternalServerError)
        {
            Content = new StringContent("Code: 159, e.displayText() = DB::Exception: Timeout exceeded: elapsed 29.0 seconds, maximum: 29"),
        };
        var read = new ScriptedHandler(TimedOut);
        var write = new ScriptedHandler(TimedOut, _ => new HttpResponseMessage(HttpStatusCode.OK));
        using var reader = Client(read, maxRetries: 3);
        using var writer = Client(write, maxRetries: 3);

        var e = await Assert.ThrowsAsync<ClickHouseException>(() => reader.QueryAsync("SELECT 1 AS x", r => 1, CancellationToken.None));
        await writer.ExecuteAsync("INSERT INTO t VALUES (1)", CancellationToken.None);

        Assert.Equal((159, 1, 2), (e.Code, read.Calls, write.Calls));
    }

    [Fact]
    public async Task QueryAsync_ReadsRowsOneLineAtATime_AndAnErrorAfterRows_IsAClickHouseError()
    {
        var handler = new ScriptedHandler(_ => new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StringContent("{\"x\":\"1\"}\n{\"x\":2}\nCode: 241, e.displayText() = DB::Exception: Memory limit exceeded\n"),
        });
        using var client = Client(handler, maxRetries: 3);

        var e = await Assert.ThrowsAsync<ClickHouseException>(() => client.QueryAsync("SELECT x", r => r.GetUInt64("x"), CancellationToken.None));

        Assert.Equal((241, 1), (e.Code, handler.Calls));
        Assert.Contains("readonly=1", handler.LastUri!.Query, StringComparison.Ordinal);
        Assert.Contains("max_execution_time=", handler.LastUri!.Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InsertRowBinaryAsync_EncodedRows_SendTheirLengthAndTheSameBodyOnARetry()
    {
        var handler = new BodyRecordingHandler(HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK);
        using var client = Client(handler, maxRetries: 3);
        using var rows = new RowBinaryWriter(new RowBinaryBufferPool(segmentBytes: 256));
        for (var i = 0; i < 100; i++)
        {
            rows.WriteString("row " + i);
        }

        await client.InsertRowBinaryAsync("spans", ["name"], rows, CancellationToken.None);

        Assert.True(rows.Length > 256, "the body spans several segments");
        Assert.Equal([rows.Length, rows.Length], handler.ContentLengths);
        Assert.Equal(2, handler.Bodies.Count);
        Assert.Equal(rows.Length, handler.Bodies[0].Length);
        Assert.Equal(handler.Bodies[0], handler.Bodies[1]);
        Assert.Equal("row 0", System.Text.Encoding.UTF8.GetString(handler.Bodies[0].AsSpan(1, 5)));
    }

    [Fact]
    public async Task InsertRowBinaryAsync_SeveralRuns_SendTheirTotalLengthAndEachRunInOrder()
    {
        var handler = new BodyRecordingHandler(HttpStatusCode.OK);
        using var client = Client(handler, maxRetries: 0);
        var pool = new RowBinaryBufferPool(segmentBytes: 256);
        using var first = new RowBinaryWriter(pool);
        using var second = new RowBinaryWriter(pool);
        for (var i = 0; i < 60; i++)
        {
            first.WriteString("first " + i);
            second.WriteString("second " + i);
        }

        await client.InsertRowBinaryAsync("spans", ["name"], [first, second], CancellationToken.None);

        Assert.Equal([(long?)(first.Length + second.Length)], handler.ContentLengths);
        var body = handler.Bodies.Single();
        Assert.Equal("first 0", System.Text.Encoding.UTF8.GetString(body.AsSpan(1, 7)));
        Assert.Equal("second 0", System.Text.Encoding.UTF8.GetString(body.AsSpan(first.Length + 1, 8)));
    }

    [Fact]
    public async Task InsertRowBinaryAsync_WrittenByADelegate_IsChunked()
    {
        var handler = new BodyRecordingHandler(HttpStatusCode.OK);
        using var client = Client(handler, maxRetries: 0);

        await client.InsertRowBinaryAsync("spans", ["name"], (stream, ct) => stream.WriteAsync(new byte[] { 1, 2, 3 }, ct).AsTask(), CancellationToken.None);

        Assert.Equal([(long?)null], handler.ContentLengths);
        Assert.Equal([1, 2, 3], handler.Bodies.Single());
    }

    private static ClickHouseClient Client(HttpMessageHandler handler, int maxRetries) =>
        new(
            new HttpClient(handler),
            new ClickHouseOptions { Url = "http://ch:8123", MaxRetries = maxRetries, RetryBaseDelay = TimeSpan.FromMilliseconds(1) },
            NullLogger<ClickHouseClient>.Instance);

    /// <summary>Answers with the statuses in turn; keeps each request's declared length and body as sent.</summary>
    private sealed class BodyRecordingHandler(params HttpStatusCode[] statuses) : HttpMessageHandler
    {
        public List<long?> ContentLengths { get; } = [];

        public List<byte[]> Bodies { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            ContentLengths.Add(request.Content!.Headers.ContentLength);
            Bodies.Add(await request.Content.ReadAsByteArrayAsync(cancellationToken));
            return new HttpResponseMessage(statuses[Math.Min(Bodies.Count - 1, statuses.Length - 1)]);
        }
    }

    private sealed class ScriptedHandler(params Func<HttpRequestMessage, HttpResponseMessage>[] script) : HttpMessageHandler
    {
        public int Calls { get; private set; }

        public Uri? LastUri { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            LastUri = request.RequestUri;
            var step = script[Math.Min(Calls, script.Length - 1)];
            Calls++;
            return Task.FromResult(step(request));
        }
    }
}
