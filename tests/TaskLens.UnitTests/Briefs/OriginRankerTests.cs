using TaskLens.Briefs.Facts;
using TaskLens.Core.Traces;

namespace TaskLens.UnitTests.Briefs;

/// <summary>
/// How the likely origin is ranked where load and trouble travel in opposite directions: a service whose extra calls
/// load a shared dependency is the origin of that dependency's trouble; a caller retrying a failing dependency is not.
/// </summary>
public sealed class OriginRankerTests
{
    [Fact]
    public void Of_NamedDatabase_ItsOtherCallersAreNeighbours()
    {
        var links = new List<ServiceLink> { new("t", "web", "orders", 100), new("t", "orders", "orders-db", 100), new("t", "report-batch", "orders-db", 40) };

        var candidates = OriginCandidates.Of(["orders-db", "web"], [], links);

        Assert.Contains(("report-batch", "neighbour"), candidates);
        Assert.Contains(("orders", "dependency"), candidates);
    }

    [Fact]
    public void Rank_BatchSurgeBeforeItsDatabaseSlows_BlamesTheBatchNotTheDatabase()
    {
        var evidence = NoisyNeighbour().Build();

        var ranked = FactsBuilder.Build(evidence, new BriefSettings()).Origins;

        Assert.Equal("report-batch", ranked[0].Name);
        Assert.Contains(ranked[0].Evidence, e => e.Kind == "load-on-dependency");
        var database = Assert.Single(ranked, o => o.Name == "orders-db");
        // The load it received is the batch's evidence, not its own earliest signal: that is when it slowed down.
        Assert.DoesNotContain(database.Evidence, e => e.Kind == "load-surge");
        Assert.Equal(BriefScenario.At(-1), database.Evidence.Where(e => e.Kind == "earliest-signal").Min(e => e.At));
    }

    [Fact]
    public void Rank_CallerRetriesInTheMinuteItsDependencyFails_BlamesTheDependency()
    {
        // The agent's calls triple in the minute the gateway starts failing: retries, not load that caused the failures.
        var evidence = new BriefScenario("retry-storm")
            .Call("research-agent", "llm-gateway", 300)
            .Alert("agent-errors", "HighErrorRate", 2, service: "research-agent")
            .Service("research-agent", 60, 0, 400, faultFrom: 0, faultErrors: 30, faultRequests: 200)
            .Service("llm-gateway", 60, 0, 700, faultFrom: 0, faultErrors: 40)
            .Build();

        var ranked = FactsBuilder.Build(evidence, new BriefSettings()).Origins;

        Assert.Equal("llm-gateway", ranked[0].Name);
        Assert.DoesNotContain(ranked.SelectMany(o => o.Evidence), e => e.Kind == "load-on-dependency");
    }

    [Fact]
    public void Rank_NewTemplateSeenOnce_IsNotEvidence()
    {
        var evidence = NoisyNeighbour().Errors("web", "span", "upstream reset by peer", 1, 3, 3).Errors("orders", "span", "Timeout during reading attempt", 12, 1, 9).Build();

        var ranked = FactsBuilder.Build(evidence, new BriefSettings()).Origins;

        Assert.DoesNotContain(ranked.Single(o => o.Name == "web").Evidence, e => e.Kind == "new-error-template");
        Assert.Contains(ranked.Single(o => o.Name == "orders").Evidence, e => e.Kind == "new-error-template");
    }

    /// <summary>
    /// A batch job runs ten times its jobs from two minutes before the onset; the database it shares with orders slows a
    /// minute later, orders and web after it. No alert names the batch job.
    /// </summary>
    private static BriefScenario NoisyNeighbour() => new BriefScenario("noisy-neighbour")
        .Call("web", "orders", 500)
        .Call("orders", "orders-db", 450)
        .Call("report-batch", "orders-db", 80)
        .Alert("db-latency", "HighLatency", 1, service: "orders-db")
        .Alert("orders-latency", "HighLatency", 1.5, service: "orders")
        .Alert("web-latency", "HighLatency", 2, service: "web")
        .Service("report-batch", 10, 0, 90, faultFrom: -2, faultP95Ms: 600, faultRequests: 200)
        .Service("orders-db", 40, 0, 10, faultFrom: -1, faultP95Ms: 160, faultRequests: 230, loadFrom: -2)
        .Service("orders", 30, 0, 40, faultFrom: -1, faultP95Ms: 300)
        .Service("web", 30, 0, 50, faultFrom: 0, faultP95Ms: 400);
}
