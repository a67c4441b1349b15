using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using TaskLens.Briefs;
using TaskLens.Briefs.Facts;
using TaskLens.Briefs.Narrative;
using TaskLens.Core.Briefs;
using TaskLens.Core.Goals;
using TaskLens.UnitTests.TestSupport;
using Step = TaskLens.UnitTests.TestSupport.FakeOpenAiServer.Step;

namespace TaskLens.UnitTests.Briefs;

/// <summary>
/// The narrative writer's real Semantic Kernel / OpenAI client against a loopback OpenAI-compatible server: request
/// shape, scripted answers, function calls, retries with Retry-After, timeouts, server errors, and validation.
/// </summary>
public sealed class NarrativeWriterTests : IAsyncLifetime
{
    private readonly BriefFacts _facts = FactsBuilder.Build(BriefScenarios.FailingDependency().Build(), new BriefSettings());
    private FakeOpenAiServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeOpenAiServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task WriteAsync_GroundedText_IsAccepted_WithTokensAndCost_AndTheRequestHasTheDocumentedShape()
    {
        var text = Grounded();
        _server.Then(Step.Text(text));

        var narrative = await Writer().WriteAsync(_facts, "abc", 10, CancellationToken.None);

        Assert.True(narrative.Status == "accepted", narrative.Reason);
        Assert.Equal((text, 1200L, 150L, 1, 0), (narrative.Text, narrative.InputTokens, narrative.OutputTokens, narrative.ModelCalls, narrative.FunctionCalls));
        Assert.Equal((1200 * 0.15 + 150 * 0.6) / 1_000_000, narrative.Cost!.Value, 10);
        var request = Assert.Single(_server.Requests);
        Assert.Equal("Bearer " + FakeOpenAiServer.Key, request.Authorization);
        var body = request.Json;
        Assert.Equal(FakeOpenAiServer.Model, (string?)body["model"]);
        var messages = body["messages"]!.AsArray();
        Assert.Equal(["system", "user"], messages.Select(m => (string?)m!["role"]));
        var user = (string)messages[1]!["content"]!;
        Assert.Contains(NarrativePrompt.FenceOpen, user, StringComparison.Ordinal);
        Assert.Contains("connection to \\u003C*\\u003E refused", user, StringComparison.Ordinal);
        Assert.Contains(body["tools"]!.AsArray(), t => ((string?)t!["function"]!["name"])!.EndsWith("trace_summary", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WriteAsync_AnInventedTraceId_IsRejected_WithTheReason()
    {
        _server.Then(Step.Text(Grounded() + " The failing trace is 99999999999999999999999999999999."));

        var narrative = await Writer().WriteAsync(_facts, "abc", 10, CancellationToken.None);

        Assert.Equal("rejected", narrative.Status);
        Assert.Equal("", narrative.Text);
        Assert.Contains("'99999999999999999999999999999999'", narrative.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteAsync_AnInventedFigure_IsRejected()
    {
        _server.Then(Step.Text(Grounded() + " About 4,812 orders were lost."));

        var narrative = await Writer().WriteAsync(_facts, "abc", 10, CancellationToken.None);

        Assert.Equal(("rejected", "states figure '4,812', which is in neither the facts nor the evidence the model fetched"), (narrative.Status, narrative.Reason));
    }

    [Fact]
    public async Task WriteAsync_429WithRetryAfter_WaitsThatLong_ThenSucceeds()
    {
        _server.Then(Step.Fail(HttpStatusCode.TooManyRequests, TimeSpan.FromSeconds(1))).Then(Step.Text(Grounded()));

        var narrative = await Writer().WriteAsync(_facts, "abc", 10, CancellationToken.None);

        Assert.True(narrative.Status == "accepted", narrative.Reason);
        Assert.Equal(2, narrative.ModelCalls);
        var times = _server.Requests.Select(r => r.At).ToList();
        Assert.True(times[1] - times[0] >= TimeSpan.FromMilliseconds(950), $"retried after {(times[1] - times[0]).TotalMilliseconds} ms");
    }

    [Fact]
    public async Task WriteAsync_500EveryTime_FailsAfterTheRetries_AndSaysSo()
    {
        _server.Then(Step.Fail(HttpStatusCode.InternalServerError, TimeSpan.Zero)).Then(Step.Fail(HttpStatusCode.InternalServerError, TimeSpan.Zero))
            .Then(Step.Fail(HttpStatusCode.InternalServerError, TimeSpan.Zero));

        var narrative = await Writer().WriteAsync(_facts, "abc", 10, CancellationToken.None);

        Assert.Equal(("failed", 3), (narrative.Status, narrative.ModelCalls));
        Assert.Contains("500", narrative.Reason, StringComparison.Ordinal);
        Assert.Equal(3, _server.Requests.Count);
    }

    [Fact]
    public async Task WriteAsync_TheModelHangs_TimesOut_Retries_ThenFails()
    {
        _server.Then(Step.Hang(TimeSpan.FromSeconds(10))).Then(Step.Hang(TimeSpan.FromSeconds(10)));

        var narrative = await Writer(timeout: TimeSpan.FromMilliseconds(300), retries: 1).WriteAsync(_facts, "abc", 10, CancellationToken.None);

        Assert.Equal("failed", narrative.Status);
        Assert.Contains("did not answer within 0.3 s (2 attempts)", narrative.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteAsync_AFunctionCall_IsAnsweredAsATool_ThenTheTextIsValidated()
    {
        _server.Then(FakeOpenAiServer.Step.CallTool("template_logs", "{\"templateId\":\"T99\"}")).Then(Step.Text(Grounded()));

        var narrative = await Writer().WriteAsync(_facts, "abc", 10, CancellationToken.None);

        Assert.True(narrative.Status == "accepted", narrative.Reason);
        Assert.Equal((2, 1, 2400L), (narrative.ModelCalls, narrative.FunctionCalls, narrative.InputTokens));
        var second = _server.Requests.Last().Json["messages"]!.AsArray();
        Assert.Equal(["system", "user", "assistant", "tool"], second.Select(m => (string?)m!["role"]));
        Assert.Contains("unknown template id", (string)second[3]!["content"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteAsync_FunctionCallsPastTheBudget_StopWithoutMoreRequests()
    {
        _server.Then(FakeOpenAiServer.Step.CallTool("template_logs", "{\"templateId\":\"T99\"}"));

        var narrative = await Writer().WriteAsync(_facts, "abc", callsLeft: 1, CancellationToken.None);

        Assert.Equal("failed", narrative.Status);
        Assert.Contains("budget of model calls ran out after 1", narrative.Reason, StringComparison.Ordinal);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task WriteAsync_WrongKey_FailsWith401_AndTheKeyIsNotInTheReason()
    {
        _server.Then(Step.Text(Grounded()));

        var narrative = await Writer(key: "sk-wrong-key").WriteAsync(_facts, "abc", 10, CancellationToken.None);

        Assert.Equal("failed", narrative.Status);
        Assert.Contains("401", narrative.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-wrong-key", narrative.Reason, StringComparison.Ordinal);
    }

    /// <summary>A narrative that states only what the facts hold.</summary>
    private string Grounded()
    {
        var goal = _facts.Goals[0];
        var t1 = _facts.ErrorTemplates[0];
        return string.Create(CultureInfo.InvariantCulture, $"""
            Incident {_facts.IncidentId}: goal {goal.Goal} completes {goal.CompletionRateNow * 100:0}% of runs since {_facts.FirstSeen:HH:mm} UTC; {goal.FailedRuns} of {goal.EndedRuns} runs failed.

            Likely origin: payments-db. Error template {t1.Id} ({t1.Count} times) first seen at {t1.FirstSeen:HH:mm}; alert alertmanager:db1. See trace 0af7651916cd43dd8448eb211c80319c.
            """);
    }

    /// <summary>
    /// The writer under test. Tests that do not test timeouts get a minute per call: at 10 s a call answered late on a
    /// machine at load 90 timed out and was retried, and the count of model calls the test asserts was one more.
    /// </summary>
    private NarrativeWriter Writer(TimeSpan? timeout = null, int retries = 2, string key = FakeOpenAiServer.Key)
    {
        var options = new LlmOptions
        {
            Endpoint = _server.Endpoint.ToString(), Model = FakeOpenAiServer.Model, ApiKey = key, Timeout = timeout ?? TimeSpan.FromMinutes(1), MaxRetries = retries,
        };
#pragma warning disable CA2000 // Owned by the chat client for the test's life.
        var handler = new ModelRetryHandler(options, TimeProvider.System, NullLogger.Instance) { InnerHandler = new SocketsHttpHandler() };
#pragma warning restore CA2000
        var chat = BriefsHostingExtensions.ChatCompletion(options, handler, NullLoggerFactory.Instance);
        var prices = new ModelPriceTable(new Dictionary<string, ModelPrice> { [FakeOpenAiServer.Model] = new(0.15, 0.6, 0.075) });

        // The evidence ports are not reached by these scripts (template_logs answers an unknown id from the facts).
        var queries = new EvidenceQueries(null!, null!, null!, null!, TimeProvider.System);
        return new NarrativeWriter(options, chat, handler, queries, prices, TimeProvider.System);
    }
}
