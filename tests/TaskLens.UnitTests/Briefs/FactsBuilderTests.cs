using System.Text.Json;
using TaskLens.Briefs.Api;
using TaskLens.Briefs.Facts;

namespace TaskLens.UnitTests.Briefs;

/// <summary>
/// The facts brief over scenarios: golden files (set <c>TASKLENS_UPDATE_GOLDEN=1</c> to rewrite them after a reviewed
/// change), and the properties that matter whatever the wording: the origin ranked first, evidence and sources.
/// </summary>
public sealed class FactsBuilderTests
{
    private static readonly JsonSerializerOptions Indented = new(BriefJson.Options) { WriteIndented = true };

    public static TheoryData<string> Scenarios() => BriefScenarios.Names();

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void Build_Scenario_MatchesGolden(string name)
    {
        var facts = FactsBuilder.Build(BriefScenarios.All()[name]().Build(), new BriefSettings());
        var json = JsonSerializer.Serialize(facts, Indented).ReplaceLineEndings("\n") + "\n";
        var path = Path.Combine(SourceDirectory(), "Golden", name + ".json");
        if (Environment.GetEnvironmentVariable("TASKLENS_UPDATE_GOLDEN") == "1" || !File.Exists(path))
        {
            var existed = File.Exists(path);
            File.WriteAllText(path, json);
            Assert.True(existed, $"Golden file {path} was missing and has been written: review it and commit it.");
        }

        Assert.Equal(File.ReadAllText(path).ReplaceLineEndings("\n"), json);
    }

    [Theory]
    [InlineData("failing-dependency", "payments-db", "upstream")]
    [InlineData("bad-deploy", "search-api", "version-change")]
    [InlineData("agent-loop", "research-agent", "cost-burn")]
    public void Build_Scenario_RanksTheKnownOriginFirst_WithItsEvidence(string name, string origin, string evidence)
    {
        var facts = FactsBuilder.Build(BriefScenarios.All()[name]().Build(), new BriefSettings());

        Assert.Equal(origin, facts.Origins[0].Name);
        Assert.Contains(facts.Origins[0].Evidence, e => e.Kind == evidence);
    }

    [Fact]
    public void Build_FailingDependency_AnEarlierDistractorIsNotTheOrigin_AndTheDependencysTemplateIsNew()
    {
        var facts = FactsBuilder.Build(BriefScenarios.FailingDependency().Build(), new BriefSettings());

        Assert.NotEqual("ci-runner", facts.Origins[0].Name);
        var refused = Assert.Single(facts.ErrorTemplates, t => t.Service == "payments-db");
        Assert.Equal("connection to <*> refused (pool exhausted after <*> s)", refused.Template);
        Assert.Equal((1350L, true), (refused.Count, refused.IsNew));
        Assert.False(Assert.Single(facts.ErrorTemplates, t => t.Template.StartsWith("retrying", StringComparison.Ordinal)).IsNew);
    }

    [Fact]
    public void Build_EveryFact_CarriesTheIdsItCameFrom()
    {
        var facts = FactsBuilder.Build(BriefScenarios.FailingDependency().Build(), new BriefSettings());

        Assert.Equal(6, facts.Sources.Count);
        Assert.All(facts.Goals, g => Assert.NotEmpty(g.Sources));
        Assert.All(facts.Timeline, h => Assert.NotEmpty(h.Sources));
        Assert.All(facts.ErrorTemplates, t => Assert.Contains(t.Sources, s => s.StartsWith("template:", StringComparison.Ordinal)));
        Assert.All(facts.Origins.SelectMany(o => o.Evidence), e => Assert.NotEmpty(e.Sources));
        Assert.All(facts.NextSteps, s => Assert.NotEmpty(s.Sources));
    }

    [Fact]
    public void Build_FailingDependency_ImpactInGoalTerms_AgainstTheNormalBand()
    {
        var facts = FactsBuilder.Build(BriefScenarios.FailingDependency().Build(), new BriefSettings());

        var goal = Assert.Single(facts.Goals);
        Assert.Equal("order-agent", goal.Goal);
        Assert.Equal(0.4, goal.CompletionRateNow!.Value, 2);
        Assert.True(goal.NormalLow is >= 0.95 and <= 0.97, $"normal low {goal.NormalLow}");
        Assert.Equal((120L, 200L), (goal.FailedRuns, goal.EndedRuns));
        Assert.StartsWith("Goal order-agent completing 40% of runs", facts.Title, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromMinutes(21), facts.Duration);
    }

    [Fact]
    public void Build_RunbooksFromAnnotationsAndConfiguration_AreNextSteps()
    {
        var settings = new BriefSettings
        {
            ServiceRunbooks = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["checkout"] = "https://runbooks.example.com/checkout" },
        };

        var facts = FactsBuilder.Build(BriefScenarios.FailingDependency().Build(), settings);

        var runbooks = facts.NextSteps.Where(s => s.Kind == "runbook").ToList();
        Assert.Equal(["https://runbooks.example.com/payments-db", "https://runbooks.example.com/checkout"], runbooks.Select(r => r.Url));
        Assert.Equal(["alert:alertmanager:db1"], runbooks[0].Sources);
        Assert.Contains(facts.NextSteps, s => s.Kind == "run" && s.Url == "/api/runs/4bf92f3577b34da6a3ce929d0e0e4736");
    }

    [Fact]
    public void Build_SameEvidence_SameFacts()
    {
        var a = JsonSerializer.Serialize(FactsBuilder.Build(BriefScenarios.BadDeploy().Build(), new BriefSettings()), BriefJson.Options);
        var b = JsonSerializer.Serialize(FactsBuilder.Build(BriefScenarios.BadDeploy().Build(), new BriefSettings()), BriefJson.Options);

        Assert.Equal(a, b);
    }

    private static string SourceDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TaskLens.sln")))
            {
                return Path.Combine(dir.FullName, "tests", "TaskLens.UnitTests", "Briefs");
            }
        }

        throw new InvalidOperationException("TaskLens.sln not found above " + AppContext.BaseDirectory);
    }
}
