using Bunit;
using TaskLens.Core.Alerts;
using TaskLens.Core.Briefs;
using TaskLens.Core.Incidents;
using TaskLens.Web.Components.Widgets;

namespace TaskLens.UnitTests.Web;

public sealed class BriefPanelTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);
    private readonly DashboardTestContext _context = new();

    private static IncidentBrief Brief(NarrativeState narrative, params NextStep[] steps) => new()
    {
        Version = 3,
        FactsHash = "h",
        GeneratedAt = Now,
        Summary = "checkout-agent completes 41% of runs (normally 95-99%) since 09:40; payments-db likely started it.",
        Narrative = narrative,
        Facts = new BriefFacts
        {
            IncidentId = "inc-7",
            Tenant = "default",
            IncidentVersion = 5,
            Title = "checkout-agent failing",
            Severity = AlertSeverity.Critical,
            Status = IncidentStatus.Triggered,
            FirstSeen = Now.AddMinutes(-20),
            LastSeen = Now,
            Duration = TimeSpan.FromMinutes(20),
            Summary = "facts summary",
            Goals = [new GoalImpact("checkout-agent", 0.41, 0.95, 0.99, 59, 100, 2.5, 2.4, ["series:goal/checkout-agent/completion_rate"])],
            Origins =
            [
                new OriginCandidate(1, "dependency", "payments-db", 3.2, [new OriginEvidence("earliest", "first anomalous signal, 4 min before the rest", Now.AddMinutes(-24), [])]),
                new OriginCandidate(2, "service", "checkout", 1.1, []),
            ],
            ErrorTemplates = [new ErrorTemplate("T1", "checkout", "log", "connection to <*> refused <script>alert(1)</script>", 412, Now.AddMinutes(-19), Now, true, [])],
            NextSteps = steps,
        },
    };

    [Fact]
    public void BriefPanel_FactsOnly_ShowsSummaryImpactOriginsAndSaysNoModel()
    {
        var panel = _context.Render<BriefPanel>(p => p.Add(c => c.Brief, Brief(new NarrativeState { Status = "not-configured" })));

        Assert.Contains("payments-db likely started it", panel.Find("#brief-summary").TextContent, StringComparison.Ordinal);
        Assert.Contains("no model is configured", panel.Find("#brief-narrative-status").TextContent, StringComparison.Ordinal);
        Assert.Empty(panel.FindAll("#brief-narrative"));
        Assert.Contains("41 %", panel.Find(".brief-goals").TextContent, StringComparison.Ordinal);
        var origins = panel.FindAll(".brief-origins > li");
        Assert.Equal(2, origins.Count);
        Assert.StartsWith("payments-db", origins[0].TextContent.Trim(), StringComparison.Ordinal);
        Assert.Contains("Brief v3 ·", panel.Markup, StringComparison.Ordinal); // the version, not Razor's literal "v@Brief.Version"
    }

    [Fact]
    public void BriefPanel_AcceptedNarrative_ShowsItsTextModelAndCost()
    {
        var panel = _context.Render<BriefPanel>(p => p.Add(c => c.Brief, Brief(new NarrativeState
        {
            Status = "accepted",
            Text = "Payments-db refused connections from 09:36.",
            Model = "gpt-4o-mini",
            InputTokens = 1200,
            OutputTokens = 80,
            Cost = 0.0021,
        })));

        Assert.Equal("Payments-db refused connections from 09:36.", panel.Find("#brief-narrative").TextContent.Trim());
        Assert.Contains("gpt-4o-mini", panel.Markup, StringComparison.Ordinal);
        Assert.Contains("1,280 tokens", panel.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void BriefPanel_UntrustedTemplateAndRunbooks_TemplateIsTextAndOnlyHttpLinksAreLinks()
    {
        var panel = _context.Render<BriefPanel>(p => p.Add(c => c.Brief, Brief(
            new NarrativeState { Status = "rejected", Reason = "cites trace ab12 that the evidence does not hold" },
            new NextStep("runbook", "Payments runbook", "https://runbooks.example/payments", []),
            new NextStep("runbook", "Sneaky runbook", "javascript:alert(1)", []))));

        Assert.Empty(panel.FindAll(".brief-templates script"));
        Assert.Contains("<script>alert(1)</script>", panel.Find(".brief-templates code").TextContent, StringComparison.Ordinal);
        var links = panel.FindAll(".brief-next a");
        Assert.Single(links);
        Assert.Equal("https://runbooks.example/payments", links[0].GetAttribute("href"));
        Assert.Contains("Sneaky runbook", panel.Find(".brief-next").TextContent, StringComparison.Ordinal);
        Assert.Contains("rejected: cites trace ab12", panel.Find("#brief-narrative-status").TextContent, StringComparison.Ordinal);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _context.DisposeAsync().AsTask();
}
