using TaskLens.Core.Incidents;

namespace TaskLens.UnitTests.Alerts;

public sealed class AlertCorrelatorTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 3, 0, 0, TimeSpan.Zero);
    private static readonly HashSet<(string, string)> Calls = [("checkout", "orders-db"), ("gateway", "checkout")];

    [Fact]
    public void Add_SameServiceJoins_SameNameOnAnUnrelatedServiceOpensAnother_AndEachSaysWhy()
    {
        var correlator = new AlertCorrelator(topology: Topology());

        var first = correlator.Add(Alert(0, "HighErrorRate", ("service", "checkout")));
        var second = correlator.Add(Alert(1, "CheckoutErrors", ("job", "checkout")));
        var elsewhere = correlator.Add(Alert(2, "HighErrorRate", ("service", "search")));

        Assert.Equal(("inc-0001", true, "opened: related to no open incident"), (first.IncidentId, first.Opened, first.Why));
        Assert.Equal(("inc-0001", false), (second.IncidentId, second.Opened));
        Assert.StartsWith("same workload 'checkout'", second.Why, StringComparison.Ordinal);
        Assert.Equal(("inc-0002", true), (elsewhere.IncidentId, elsewhere.Opened));
    }

    [Fact]
    public void Add_LinkedService_JoinsOnlyWithSimilarWords()
    {
        var correlator = new AlertCorrelator(topology: Topology());
        correlator.Add(Alert(0, "OrdersDbConnectionsSaturated", ("service", "orders-db")));

        var cascade = correlator.Add(Alert(1, "Checkout cannot reach orders db: connections saturated", ("service", "checkout")));
        var unrelatedLinked = correlator.Add(Alert(2, "GatewayTLSCertificateExpiring", ("service", "gateway")));

        Assert.Equal("inc-0001", cascade.IncidentId);
        Assert.StartsWith("'checkout' is linked by spans to 'orders-db'; similar words to its alerts (cosine ", cascade.Why, StringComparison.Ordinal);
        Assert.True(unrelatedLinked.Opened); // linked to checkout, but nothing in its words: a link alone does not join
    }

    [Fact]
    public void Add_EventWithoutService_JoinsByWords_GoalAlertsBySharedGoal()
    {
        var correlator = new AlertCorrelator();
        correlator.Add(Alert(0, "LLMProviderRateLimited", ("service", "llm-proxy")));
        correlator.Add(Alert(1, "Goal 'triage-inbox': completion rate dropped", ("goal", "triage-inbox")));

        var words = correlator.Add(Alert(2, "llm provider rate limited again"));
        var goal = correlator.Add(Alert(3, "Goal 'triage-inbox': p95 run duration rose", ("goal", "triage-inbox")));

        Assert.Equal("inc-0001", words.IncidentId);
        Assert.StartsWith("similar words to its alerts", words.Why, StringComparison.Ordinal);
        Assert.Equal("inc-0002", goal.IncidentId);
        Assert.StartsWith("same goal 'triage-inbox'", goal.Why, StringComparison.Ordinal);
    }

    [Fact]
    public void Add_AfterTheWindow_OnceItsAlertsResolved_TheSameServiceOpensANewIncident()
    {
        var correlator = new AlertCorrelator(new AlertCorrelator.Settings(Window: TimeSpan.FromMinutes(15)));
        correlator.Add(Alert(0, "HighErrorRate", ("service", "checkout")));

        Assert.False(correlator.Add(Alert(14, "HighLatency", ("service", "checkout"))).Opened);
        correlator.Resolved(Alert(15, "HighErrorRate", ("service", "checkout")));
        correlator.Resolved(Alert(15, "HighLatency", ("service", "checkout")));
        Assert.True(correlator.Add(Alert(30, "HighErrorRate", ("service", "checkout"))).Opened);
    }

    [Fact]
    public void Add_SlowBurn_WhileItsAlertsStillFire_TakesAlertsPastTheWindow_UpToTheFiringWindow()
    {
        var correlator = new AlertCorrelator(new AlertCorrelator.Settings(Window: TimeSpan.FromMinutes(15), FiringWindow: TimeSpan.FromHours(1)));
        correlator.Add(Alert(0, "HighErrorRate", ("service", "checkout")));

        Assert.False(correlator.Add(Alert(40, "HighLatency", ("service", "checkout"))).Opened);
        Assert.True(correlator.Add(Alert(101, "HighErrorRate", ("service", "checkout"))).Opened);
    }

    [Fact]
    public void Words_SplitCamelCaseAcronymsAndPunctuation_DropNumbersAndFiller()
    {
        Assert.Equal(["checkout", "http", "5xx", "errors"], TextVectors.Words("CheckoutHTTP5xxErrors"));
        Assert.Equal(["orders", "db", "connection", "pool", "exhausted"], TextVectors.Words("orders-db connection pool exhausted (42)"));
    }

    [Fact]
    public void GroupingScore_CountsPairs()
    {
        // Truth: {a1, a2, a3} {a4}; predicted: {a1, a2} {a3, a4}.
        var score = GroupingScore.Of(["x", "x", "x", "y"], ["p", "p", "q", "q"]);

        Assert.Equal((4, 2, 2, 2L, 3L, 1L), (score.Alerts, score.TrueGroups, score.Groups, score.TogetherPairs, score.TrulyTogetherPairs, score.RightPairs));
        Assert.Equal((0.5, 0.5, 1 / 3.0), (score.Compression, score.Precision, score.Recall));
    }

    private static WorkloadTopology Topology()
    {
        var topology = new WorkloadTopology();
        foreach (var (caller, callee) in Calls)
        {
            topology.ObserveCall(caller, callee);
        }

        return topology;
    }

    private static CorrelationInput Alert(int minute, string title, params (string Key, string Value)[] labels) =>
        new($"a{minute}", "alertmanager", T0.AddMinutes(minute), title, labels.ToDictionary(l => l.Key, l => l.Value));
}
