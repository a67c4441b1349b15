using System.Diagnostics;
using TaskLens.AgentSim.Topology;

namespace TaskLens.UnitTests.AgentSim;

/// <summary>
/// The scenario generator produces what it claims: the fault shows first where it was injected and spreads to that
/// service's callers only afterwards, the distractors' trouble stays on the distractors, and nothing sent names the
/// origin as such (the ground truth lives in the scenario definition only).
/// </summary>
public sealed class OriginScenarioTests
{
    [Theory]
    [InlineData("failing-dependency", 1)]
    [InlineData("failing-dependency", 2)]
    [InlineData("bad-deploy", 1)]
    [InlineData("throttled-model-provider", 1)]
    public void Play_ErrorFault_FirstErrorIsAtTheOriginAndCallersFailOnlyAfter(string kind, int seed)
    {
        var played = SimulatedScenario.Play(kind, seed);
        var origin = played.Scenario.Origin;
        // The distractors' own trouble reaches the few requests that call them; those traces are theirs, not the fault's.
        var distractorTraces = played.Spans.Where(s => played.Scenario.Distractors.Contains(s.Service) && s.Span.Status == ActivityStatusCode.Error)
            .Select(s => s.Span.TraceId).ToHashSet();
        var errors = played.Spans.Where(s => s.Span.Status == ActivityStatusCode.Error && !distractorTraces.Contains(s.Span.TraceId))
            .OrderBy(s => s.Span.StartTimeUtc + s.Span.Duration).ToList();

        Assert.NotEmpty(errors);
        Assert.Equal(origin, errors[0].Service);
        Assert.DoesNotContain(errors, e => SimulatedScenario.MinuteOf(e.Span) < -2);
        Assert.Contains(errors, e => e.Service != origin);
        Assert.All(errors.Where(e => e.Service != origin), e => Assert.Contains(e.Service, Upstream(played.Scenario.Topology, origin)));
    }

    [Fact]
    public void Play_BadDeploy_OriginAloneRunsANewVersionFromTheDeploy()
    {
        var played = SimulatedScenario.Play("bad-deploy", 2);
        var origin = played.Scenario.Origin;
        var (at, version) = played.Scenario.Deploy!.Value;

        Assert.All(played.Spans.Where(s => s.Version == version), s => Assert.Equal(origin, s.Service));
        var firstNew = played.Spans.Where(s => s.Version == version).Min(s => s.Span.StartTimeUtc);
        Assert.InRange((new DateTimeOffset(firstNew, TimeSpan.Zero) - SimulatedScenario.FaultStart).TotalMinutes, at, at + 0.5);
        Assert.DoesNotContain(played.Spans, s => s.Service == origin && s.Version != version && s.Span.StartTimeUtc > firstNew.AddMinutes(0.5));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Play_SlowDatabase_OriginSlowsItselfAndOnlyItsCallersFollow(int seed)
    {
        var played = SimulatedScenario.Play("slow-database", seed);
        var origin = played.Scenario.Origin;

        Assert.True(P95(played, origin, fault: true) >= 5 * P95(played, origin, fault: false));
        var callers = Upstream(played.Scenario.Topology, origin);
        foreach (var service in played.Scenario.Topology.Services.Select(s => s.Name).Where(s => s != origin && !callers.Contains(s)))
        {
            Assert.True(P95(played, service, fault: true) < 2 * P95(played, service, fault: false) + 50, service);
        }
    }

    [Fact]
    public void Play_NoisyNeighbour_OriginLoadRisesBeforeTheSharedDatabaseSlows()
    {
        var played = SimulatedScenario.Play("noisy-neighbour", 1);
        var origin = played.Scenario.Origin;
        var database = played.Scenario.Topology.CallsOf(origin).Single().Callee;

        Assert.True(PerMinute(played, origin, fault: true) >= 5 * PerMinute(played, origin, fault: false));
        Assert.True(P95(played, database, fault: true) >= 3 * P95(played, database, fault: false));
        var surge = played.Scenario.BatchSurge!.Value.From;
        var firstSlow = played.Spans.Where(s => s.Service == database && s.Span.Kind == ActivityKind.Server && s.Span.Duration.TotalMilliseconds > 3 * P95(played, database, fault: false))
            .Min(s => SimulatedScenario.MinuteOf(s.Span));
        Assert.True(firstSlow > surge, $"the database slowed at minute {firstSlow}, the surge began at {surge}");
    }

    [Fact]
    public void Play_AgentLoop_OnlyTheGoalsRunsGrowAndBurnTokens()
    {
        var played = SimulatedScenario.Play("agent-loop", 1);
        var roots = played.Spans.Where(s => s.Span.GetTagItem("gen_ai.agent.name") is string goal && goal == played.Scenario.Origin).ToList();
        var toolsPerRun = roots.ToDictionary(r => r.Span, r => played.Spans.Count(s => s.Span.TraceId == r.Span.TraceId && (string?)s.Span.GetTagItem("gen_ai.operation.name") == "execute_tool"));

        Assert.NotEmpty(roots);
        var before = toolsPerRun.Where(r => SimulatedScenario.MinuteOf(r.Key) < 0).Max(r => r.Value);
        var after = toolsPerRun.Where(r => SimulatedScenario.MinuteOf(r.Key) >= 0).Max(r => r.Value);
        Assert.True(after >= 4 * before, $"{after} tool calls in the longest run after the loop began, {before} before");
    }

    [Theory]
    [InlineData("failing-dependency", 3)]
    [InlineData("agent-loop", 2)]
    [InlineData("noisy-neighbour", 2)]
    public void Evaluate_Alerts_NameASubjectAndNothingAboutTheOrigin(string kind, int seed)
    {
        var played = SimulatedScenario.Play(kind, seed);

        Assert.Contains(played.Alerts, a => !a.Distractor);
        Assert.Contains(played.Alerts, a => a.Distractor);
        Assert.All(played.Alerts, a => Assert.Subset(new HashSet<string>(["alertname", "service", "goal", "severity", "metric"]), a.Labels.Keys.ToHashSet()));
        Assert.All(played.Alerts.Where(a => a.Distractor), a => Assert.Contains(a.Labels["service"], played.Scenario.Distractors));
        var keys = played.Spans.SelectMany(s => s.Span.TagObjects.Select(t => t.Key)).ToHashSet();
        Assert.DoesNotContain(keys, k => k.Contains("origin", StringComparison.OrdinalIgnoreCase) || k.Contains("fault", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Create_SameKindAndSeed_SameScenario()
    {
        var (a, b) = (OriginScenario.Create("slow-database", 4), OriginScenario.Create("slow-database", 4));

        Assert.Equal(a.Origin, b.Origin);
        Assert.Equal(a.Topology.Services, b.Topology.Services);
        Assert.Throws<ArgumentException>(() => OriginScenario.Create("meteor-strike", 1));
    }

    /// <summary>Every service that reaches <paramref name="service"/> through calls.</summary>
    private static HashSet<string> Upstream(ServiceTopology topology, string service)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<string>([service]);
        while (queue.TryDequeue(out var at))
        {
            foreach (var caller in topology.CallersOf(at))
            {
                if (found.Add(caller))
                {
                    queue.Enqueue(caller);
                }
            }
        }

        return found;
    }

    private static double P95(SimulatedScenario played, string service, bool fault)
    {
        var durations = played.Spans.Where(s => s.Service == service && s.Span.Kind == ActivityKind.Server && (SimulatedScenario.MinuteOf(s.Span) >= 1) == fault && SimulatedScenario.MinuteOf(s.Span) >= (fault ? 1 : -40))
            .Select(s => s.Span.Duration.TotalMilliseconds).Order().ToList();
        return durations.Count == 0 ? 0 : durations[(int)Math.Ceiling(0.95 * durations.Count) - 1];
    }

    private static double PerMinute(SimulatedScenario played, string service, bool fault) =>
        played.Spans.Count(s => s.Service == service && (SimulatedScenario.MinuteOf(s.Span) >= 0) == fault) / (double)(fault ? played.Scenario.FaultMinutes : played.Scenario.HistoryMinutes);
}
