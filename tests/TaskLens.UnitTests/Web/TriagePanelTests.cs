using Bunit;
using MediatR;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;
using TaskLens.Core.Alerts;
using TaskLens.Core.Access;
using TaskLens.Core.Incidents;
using TaskLens.Web.Components.Widgets;

namespace TaskLens.UnitTests.Web;

/// <summary>
/// The triage form against the application layer it talks to: the requests it sends (action, the version the person
/// saw, the actor) and what it shows for each answer. The real incident service behind these requests is exercised
/// end to end by the browser tests (TaskLens.E2ETests).
/// </summary>
public sealed class TriagePanelTests : IAsyncLifetime
{
    private readonly Answers _answers = new();
    private readonly DashboardTestContext _context;

    public TriagePanelTests() => _context = new DashboardTestContext(services =>
    {
        services.AddSingleton(_answers);
        services.AddTransient<IRequestHandler<TriageIncident, TriageResult>, TriageHandler>();
        services.AddTransient<IRequestHandler<GetIncident, IncidentDetail?>, DetailHandler>();
    });

    [Fact]
    public async Task Acknowledge_Click_SendsTheShownVersionAsTheOpenModeUser()
    {
        var incident = IncidentTableTests.Incident(7, IncidentStatus.Triggered, AlertSeverity.Critical, 1);
        _answers.Triage = r => new TriageResult(TriageOutcome.Done, incident with { Status = IncidentStatus.Acknowledged, Version = 5, TriageVersion = 5 });
        TriageResult? changed = null;
        var panel = _context.Render<TriagePanel>(p => p.Add(c => c.Incident, incident).Add(c => c.OnChanged, r => changed = r));

        await panel.Find("#triage-ack").ClickAsync(new MouseEventArgs());

        // The handler runs on the renderer's dispatcher, which may be busy with another render: wait for what it shows.
        panel.WaitForAssertion(() => Assert.Contains("done (version 5)", panel.Find("#triage-message").TextContent, StringComparison.Ordinal));
        var sent = Assert.Single(_answers.Sent);
        Assert.Equal(("default", "inc-7", TriageAction.Acknowledge, 4L, OpenModeActor.UserName), (sent.Tenant, sent.IncidentId, sent.Action, sent.ExpectedVersion, sent.Actor));
        Assert.Equal(IncidentStatus.Acknowledged, changed?.Incident?.Status);
    }

    [Fact]
    public void Buttons_AcknowledgedIncident_OnlyResolveIsOffered()
    {
        var panel = _context.Render<TriagePanel>(p => p.Add(c => c.Incident, IncidentTableTests.Incident(7, IncidentStatus.Acknowledged, AlertSeverity.Warning, 1)));
        Assert.True(panel.Find("#triage-ack").HasAttribute("disabled"));
        Assert.True(panel.Find("#triage-reopen").HasAttribute("disabled"));
        Assert.False(panel.Find("#triage-resolve").HasAttribute("disabled"));
    }

    [Fact]
    public async Task Note_SomeoneAcknowledgedWhileTyping_ShowsWhatChangedAndAppliesOnlyWhenAsked()
    {
        var seen = IncidentTableTests.Incident(7, IncidentStatus.Triggered, AlertSeverity.Critical, 1);
        var now = seen with { Status = IncidentStatus.Acknowledged, Version = 5, TriageVersion = 5 };
        _answers.Triage = r => r.ExpectedVersion < 5 ? new TriageResult(TriageOutcome.Stale, now, "changed since version 4") : new TriageResult(TriageOutcome.Done, now with { Version = 6 });
        _answers.Timeline = [new IncidentEvent { Tenant = "default", IncidentId = "inc-7", Version = 5, Kind = IncidentEventKind.Acknowledged, At = now.UpdatedAt, Actor = "ana" }];
        var panel = _context.Render<TriagePanel>(p => p.Add(c => c.Incident, seen));

        await panel.Find("#triage-note-text").InputAsync(new ChangeEventArgs { Value = "restarting the search tool" });
        panel.WaitForAssertion(() => Assert.False(panel.Find("#triage-note").HasAttribute("disabled")));

        // Meanwhile the page shows ana's acknowledgement live: the note still expects the version typing began at.
        panel.Render(p => p.Add(c => c.Incident, now));
        await panel.Find("#triage-note").ClickAsync(new MouseEventArgs());

        panel.WaitForAssertion(() => Assert.Contains("you saw version 4; it is now 5", panel.Find("#triage-conflict").TextContent, StringComparison.Ordinal));
        Assert.Equal(4L, _answers.Sent.Single().ExpectedVersion);
        Assert.Contains("ana · acknowledged", panel.Find("#triage-conflict").TextContent, StringComparison.Ordinal);

        await panel.Find("#triage-conflict-apply").ClickAsync(new MouseEventArgs());
        panel.WaitForAssertion(() => Assert.Contains("Note: done (version 6)", panel.Find("#triage-message").TextContent, StringComparison.Ordinal));
        Assert.Empty(panel.FindAll("#triage-conflict"));
        Assert.Equal(2, _answers.Sent.Count);
        Assert.Equal((TriageAction.Note, 5L, "restarting the search tool"), (_answers.Sent[1].Action, _answers.Sent[1].ExpectedVersion, _answers.Sent[1].Text));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    // MudBlazor's services are only asynchronously disposable.
    public Task DisposeAsync() => _context.DisposeAsync().AsTask();

    private sealed class Answers
    {
        public List<TriageIncident> Sent { get; } = [];
        public Func<TriageIncident, TriageResult> Triage { get; set; } = r => new TriageResult(TriageOutcome.NotFound, null);
        public IReadOnlyList<IncidentEvent> Timeline { get; set; } = [];
    }

    private sealed class TriageHandler(Answers answers) : IRequestHandler<TriageIncident, TriageResult>
    {
        public Task<TriageResult> Handle(TriageIncident request, CancellationToken cancellationToken)
        {
            answers.Sent.Add(request);
            return Task.FromResult(answers.Triage(request));
        }
    }

    private sealed class DetailHandler(Answers answers) : IRequestHandler<GetIncident, IncidentDetail?>
    {
        public Task<IncidentDetail?> Handle(GetIncident request, CancellationToken cancellationToken) =>
            Task.FromResult<IncidentDetail?>(new IncidentDetail(IncidentTableTests.Incident(7, IncidentStatus.Acknowledged, AlertSeverity.Critical, 0), [], answers.Timeline, [], []));
    }
}
