using TaskLens.Core.Alerts;
using TaskLens.Core.Alerts.Intake;
using TaskLens.Core.Incidents;

namespace TaskLens.UnitTests.Incidents;

/// <summary>The incident board fed through the real dedup book, as the intake feeds it.</summary>
public sealed class IncidentBoardTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 1, 0, 0, TimeSpan.Zero);

    private readonly AlertBook _book = new();
    private readonly IncidentBoard _board = new(topology: _ => Calls(("checkout", "payments")));

    [Fact]
    public void TakeAlerts_RelatedAlerts_FoldIntoOneIncident_WithTheReasonForEach()
    {
        var write = Feed(0, Fire("a1", "CheckoutErrors", "checkout"), Fire("a2", "CheckoutLatency", "checkout"), Fire("a3", "PaymentsCheckoutErrors", "payments"), Fire("a4", "DiskFull", "ci-runner"));

        var incidents = write.States.GroupBy(s => s.Id).Select(g => g.Last()).OrderBy(s => s.Id).ToList();
        Assert.Equal(["inc-1", "inc-2"], incidents.Select(i => i.Id));
        Assert.Equal((3, 3, "CheckoutErrors", AlertSeverity.Critical), (incidents[0].Alerts, incidents[0].FiringAlerts, incidents[0].Title, incidents[0].Severity));
        Assert.Equal(["checkout", "payments"], incidents[0].Services);
        var joins = write.Members.Where(m => m.IncidentId == "inc-1").ToList();
        Assert.Equal(["events:a1", "events:a2", "events:a3"], joins.Select(m => m.AlertId));
        Assert.Contains("same workload 'checkout'", joins[1].Reason, StringComparison.Ordinal);
        Assert.Contains("linked by spans to 'checkout'", joins[2].Reason, StringComparison.Ordinal);
        Assert.Equal(
            [IncidentEventKind.Opened, IncidentEventKind.AlertJoined, IncidentEventKind.AlertJoined, IncidentEventKind.AlertJoined],
            write.Events.Where(e => e.IncidentId == "inc-1").Select(e => e.Kind));
        Assert.Equal([1L, 2, 3, 4], write.Events.Where(e => e.IncidentId == "inc-1").Select(e => e.Version));
    }

    [Fact]
    public void TakeAlerts_EveryAlertResolves_ResolvesItAutomatically_AndAFireAgainReopensIt()
    {
        Feed(0, Fire("a1", "CheckoutErrors", "checkout"), Fire("a2", "CheckoutLatency", "checkout"));

        var first = Feed(1, Resolve("a1"));
        Assert.Equal((IncidentStatus.Triggered, 1), (first.States[^1].Status, first.States[^1].FiringAlerts));
        var second = Feed(2, Resolve("a2"));
        Assert.Equal((IncidentStatus.Resolved, "auto", 0), (second.States[^1].Status, second.States[^1].ResolvedBy, second.States[^1].FiringAlerts));
        Assert.Equal([IncidentEventKind.AlertResolved, IncidentEventKind.Resolved], second.Events.Select(e => e.Kind));

        var again = Feed(5, Fire("a1", "CheckoutErrors", "checkout"));
        Assert.Equal(("inc-1", IncidentStatus.Triggered, 1), (again.States[^1].Id, again.States[^1].Status, again.States[^1].FiringAlerts));
        Assert.Equal([IncidentEventKind.AlertRefired, IncidentEventKind.Reopened], again.Events.Select(e => e.Kind));
    }

    [Fact]
    public void TakeAlerts_ARetriedResolve_WhichTheBookCallsARepeat_StillResolvesTheIncident()
    {
        Feed(0, Fire("a1", "CheckoutErrors", "checkout"));
        _book.Apply([Resolve("a1") with { ReceivedAt = T0.AddMinutes(1) }]); // stored by the intake; the incident change was not

        var retried = Feed(2, Resolve("a1"));

        Assert.Equal([IncidentEventKind.AlertResolved, IncidentEventKind.Resolved], retried.Events.Select(e => e.Kind));
        Assert.Equal(("auto", 0), (retried.States[^1].ResolvedBy, retried.States[^1].FiringAlerts));
    }

    [Fact]
    public void Adopt_AnOpenIncidentWhoseAlertsResolvedMeanwhile_ResolvesOnTheirNextEvent()
    {
        var resolved = _book.Apply([Fire("a1", "CheckoutErrors", "checkout"), Resolve("a1")])[^1].State;
        var stored = new Incident
        {
            Tenant = "default", Id = "inc-3", Title = "CheckoutErrors", Status = IncidentStatus.Triggered, Severity = AlertSeverity.Critical,
            Alerts = 1, FiringAlerts = 1, OpenedAt = T0, UpdatedAt = T0, Version = 2,
        };
        _board.Adopt(stored, [
            (new IncidentAlert { Tenant = "default", IncidentId = "inc-3", AlertId = "events:a1", JoinedAt = T0, Version = 2 }, resolved),
            (new IncidentAlert { Tenant = "default", IncidentId = "inc-3", AlertId = "events:a9", JoinedAt = T0, Version = 3 }, null), // past its version
        ]);
        Assert.Equal((1, 0), (_board.Find("default", "inc-3")!.Alerts, _board.Find("default", "inc-3")!.FiringAlerts));

        var retried = Feed(1, Resolve("a1"));

        Assert.Equal((IncidentStatus.Resolved, "auto"), (retried.States[^1].Status, retried.States[^1].ResolvedBy));
    }

    [Fact]
    public void TakeAlerts_AFiringAlertRaisedToCritical_RaisesTheIncident_WithoutMakingTriageStale()
    {
        Feed(0, Fire("a1", "CheckoutSlow", "checkout", AlertSeverity.Warning));
        var seen = _board.Find("default", "inc-1")!.Version;

        var raised = Feed(1, Fire("a1", "CheckoutSlow", "checkout", AlertSeverity.Critical));

        Assert.Equal((IncidentEventKind.AlertUpdated, "severity critical"), (raised.Events.Single().Kind, raised.Events.Single().Text));
        Assert.Equal(AlertSeverity.Critical, raised.States[^1].Severity);
        Assert.Equal(TriageOutcome.Done, Triage(TriageAction.Acknowledge, seen, "ana").Outcome);
    }

    [Fact]
    public void TakeAlerts_AFireAfterTheWindowFromTheAutoResolve_OpensANewIncident_EvenIfItWasNotedSince()
    {
        Feed(0, Fire("a1", "CheckoutErrors", "checkout"));
        Feed(1, Resolve("a1"));
        _board.Triage(new TriageIncident("default", "inc-1", TriageAction.Note, _board.Find("default", "inc-1")!.Version, "ana") { Text = "flaky probe" }, T0.AddMinutes(10), new IncidentWrite());

        var again = Feed(17, Fire("a1", "CheckoutErrors", "checkout"));

        Assert.Equal(("inc-2", IncidentStatus.Triggered), (again.States[^1].Id, again.States[^1].Status));
    }

    [Fact]
    public void TakeAlerts_AfterAPersonResolved_AFireAgainOpensANewIncident()
    {
        Feed(0, Fire("a1", "CheckoutErrors", "checkout"));
        Triage(TriageAction.Resolve, 1, "ana");
        Feed(2, Resolve("a1"));

        var again = Feed(4, Fire("a1", "CheckoutErrors", "checkout"));

        Assert.Equal(("inc-2", IncidentStatus.Triggered), (again.States[^1].Id, again.States[^1].Status));
        Assert.Equal(IncidentStatus.Resolved, _board.Find("default", "inc-1")!.Status);
    }

    [Fact]
    public void TakeAlerts_InfoAlert_JoinsAnOpenIncident_ButNeverOpensOne()
    {
        var alone = Feed(0, Fire("i1", "DeployStarted", "checkout", AlertSeverity.Info));
        Assert.True(alone.IsEmpty);

        Feed(1, Fire("a1", "CheckoutErrors", "checkout"));
        var joined = Feed(2, Fire("i2", "DeployFinished", "checkout", AlertSeverity.Info));
        Assert.Equal(("inc-1", 2, AlertSeverity.Critical), (joined.States[^1].Id, joined.States[^1].Alerts, joined.States[^1].Severity));
    }

    [Fact]
    public void Triage_StaleVersion_IsRefused_ButAlertsJoiningDoNotMakeItStale()
    {
        Feed(0, Fire("a1", "CheckoutErrors", "checkout"));
        var seen = _board.Find("default", "inc-1")!.Version;
        Feed(1, Fire("a2", "CheckoutLatency", "checkout"));

        var ack = Triage(TriageAction.Acknowledge, seen, "ana");
        Assert.Equal((TriageOutcome.Done, IncidentStatus.Acknowledged), (ack.Outcome, ack.Incident!.Status));

        var write = new IncidentWrite();
        var stale = _board.Triage(new TriageIncident("default", "inc-1", TriageAction.Assign, seen, "bo") { Text = "bo" }, T0.AddMinutes(2), write);
        Assert.Equal((TriageOutcome.Stale, ""), (stale.Outcome, stale.Incident!.Assignee));
        Assert.True(write.IsEmpty);

        var retried = Triage(TriageAction.Assign, stale.Incident.Version, "bo", text: "bo");
        Assert.Equal((TriageOutcome.Done, "bo"), (retried.Outcome, retried.Incident!.Assignee));
        Assert.Equal(TriageOutcome.Stale, Triage(TriageAction.Note, retried.Incident.Version + 1, "bo", text: "from the future").Outcome);
    }

    [Fact]
    public void Triage_ImpossibleChanges_AreRefused_AndRepeatsChangeNothing()
    {
        Feed(0, Fire("a1", "CheckoutErrors", "checkout"));
        var v = _board.Find("default", "inc-1")!.Version;

        Assert.Equal(TriageOutcome.Refused, Triage(TriageAction.Note, v, "ana", text: "  ").Outcome);
        Assert.Equal(TriageOutcome.Refused, Triage(TriageAction.Severity, v, "ana").Outcome);
        Assert.Equal(TriageOutcome.NotFound, _board.Triage(new TriageIncident("default", "inc-9", TriageAction.Resolve, 0, "ana"), T0, new IncidentWrite()).Outcome);
        var resolved = Triage(TriageAction.Resolve, v, "ana");
        Assert.Equal((TriageOutcome.Done, "ana"), (resolved.Outcome, resolved.Incident!.ResolvedBy));
        Assert.Equal(TriageOutcome.Unchanged, Triage(TriageAction.Resolve, resolved.Incident.Version, "ana").Outcome);
        Assert.Equal(TriageOutcome.Refused, Triage(TriageAction.Acknowledge, resolved.Incident.Version, "ana").Outcome);

        var reopened = Triage(TriageAction.Reopen, resolved.Incident.Version, "ana");
        Assert.Equal((IncidentStatus.Triggered, (DateTimeOffset?)null, ""), (reopened.Incident!.Status, reopened.Incident.ResolvedAt, reopened.Incident.ResolvedBy));
    }

    [Fact]
    public void Triage_SeveritySetByAPerson_IsKept_WhenAMoreSevereAlertJoins()
    {
        Feed(0, Fire("a1", "CheckoutSlow", "checkout", AlertSeverity.Warning));
        Triage(TriageAction.Severity, _board.Find("default", "inc-1")!.Version, "ana", severity: AlertSeverity.Info);

        var joined = Feed(1, Fire("a2", "CheckoutErrors", "checkout", AlertSeverity.Critical));

        Assert.Equal((2, AlertSeverity.Info, true), (joined.States[^1].Alerts, joined.States[^1].Severity, joined.States[^1].SeveritySetByPerson));
    }

    [Fact]
    public void Merge_MovesEveryAlert_AndClosesTheMergedIncident()
    {
        Feed(0, Fire("a1", "CheckoutErrors", "checkout"), Fire("a2", "DiskFull", "ci-runner"));
        var ci = _board.Find("default", "inc-2")!;

        var write = new IncidentWrite();
        var merged = _board.Triage(
            new TriageIncident("default", "inc-1", TriageAction.Merge, _board.Find("default", "inc-1")!.Version, "ana") { MergeFrom = [("inc-2", ci.Version)] }, T0.AddMinutes(1), write);

        Assert.Equal((TriageOutcome.Done, 2, 2), (merged.Outcome, merged.Incident!.Alerts, merged.Incident.FiringAlerts));
        var closed = _board.Find("default", "inc-2")!;
        Assert.Equal((IncidentStatus.Merged, "inc-1", 0), (closed.Status, closed.MergedInto, closed.Alerts));
        var left = Assert.Single(write.Members, m => m is { IncidentId: "inc-2", AlertId: "events:a2", Active: false });
        Assert.True(left.Version > 2, "the leaving row outranks the joining row (version 2) under argMax");
        Assert.Contains(write.Members, m => m is { IncidentId: "inc-1", AlertId: "events:a2", Active: true } && m.Reason.Contains("merged from inc-2 by ana", StringComparison.Ordinal));
        Assert.Contains(write.Events, e => e is { IncidentId: "inc-1", Kind: IncidentEventKind.MergedFrom, OtherIncident: "inc-2" });
        Assert.Equal(TriageOutcome.Refused, Triage(TriageAction.Acknowledge, closed.Version, "ana", id: "inc-2").Outcome);

        // The merged alert resolving now counts against the incident it moved to.
        var resolved = Feed(2, Resolve("a2"));
        Assert.Equal(("inc-1", 1), (resolved.States[^1].Id, resolved.States[^1].FiringAlerts));
    }

    [Fact]
    public void Split_MovesTheNamedAlerts_ToANewIncident_ThatTakesTheirRelatedAlertsFromThenOn()
    {
        Feed(0, Fire("a1", "CheckoutErrors", "checkout"), Fire("a2", "PaymentsCheckoutErrors", "payments"));
        Assert.Equal(2, _board.Find("default", "inc-1")!.Alerts);

        var write = new IncidentWrite();
        var split = _board.Triage(
            new TriageIncident("default", "inc-1", TriageAction.Split, _board.Find("default", "inc-1")!.Version, "ana") { AlertIds = ["events:a2"], Text = "Payments provider" },
            T0.AddMinutes(1), write);

        Assert.Equal((TriageOutcome.Done, 1, "inc-2", "Payments provider", 1), (split.Outcome, split.Incident!.Alerts, split.Created!.Id, split.Created.Title, split.Created.Alerts));
        Assert.Contains(write.Events, e => e is { IncidentId: "inc-1", Kind: IncidentEventKind.AlertSplitOff, AlertId: "events:a2", OtherIncident: "inc-2" });
        Assert.Contains(write.Events, e => e is { IncidentId: "inc-2", Kind: IncidentEventKind.SplitFrom, OtherIncident: "inc-1" });

        var later = Feed(2, Fire("a3", "PaymentsTimeouts", "payments"));
        Assert.Equal(("inc-2", 2), (later.States[^1].Id, later.States[^1].Alerts));
        Assert.Equal(TriageOutcome.Refused, Triage(TriageAction.Split, split.Incident.Version, "ana", alerts: ["events:a1"]).Outcome);
        Assert.Equal(TriageOutcome.Refused, Triage(TriageAction.Split, split.Incident.Version, "ana", alerts: ["events:nope"]).Outcome);
    }

    [Fact]
    public void Split_OffOnlyResolvedAlerts_TheNewIncidentResolvesItself()
    {
        Feed(0, Fire("a1", "CheckoutErrors", "checkout"), Fire("a2", "CheckoutLatency", "checkout"));
        Feed(1, Resolve("a2"));

        var split = Triage(TriageAction.Split, _board.Find("default", "inc-1")!.Version, "ana", alerts: ["events:a2"]);

        Assert.Equal((IncidentStatus.Triggered, IncidentStatus.Resolved, "auto"), (split.Incident!.Status, split.Created!.Status, split.Created.ResolvedBy));
    }

    [Fact]
    public void Adopt_LoadedIncidents_KeepTheirNumbers_AndTakeRelatedAlertsAgain()
    {
        var loaded = new Incident
        {
            Tenant = "default", Id = "inc-41", Title = "CheckoutErrors", Status = IncidentStatus.Acknowledged, Severity = AlertSeverity.Critical,
            Alerts = 1, FiringAlerts = 1, OpenedAt = T0, UpdatedAt = T0, Version = 3, TriageVersion = 3,
        };
        var alert = _book.Apply([Fire("a1", "CheckoutErrors", "checkout")])[0].State;
        _board.Adopt(loaded, [(new IncidentAlert { Tenant = "default", IncidentId = "inc-41", AlertId = "events:a1", JoinedAt = T0, Version = 2 }, alert)]);

        var write = Feed(1, Fire("a2", "CheckoutLatency", "checkout"), Fire("a3", "DiskFull", "ci-runner"));

        Assert.Equal(("inc-41", 2, IncidentStatus.Acknowledged, 4L), (write.States[0].Id, write.States[0].Alerts, write.States[0].Status, write.States[0].Version));
        Assert.Equal("inc-42", write.States[1].Id);
    }

    private static AlertEvent Fire(string key, string title, string service, AlertSeverity severity = AlertSeverity.Critical) => new()
    {
        Tenant = "default",
        Source = "events",
        Fingerprint = key,
        Action = AlertAction.Trigger,
        Title = title,
        Severity = severity,
        Labels = new Dictionary<string, string> { ["service"] = service, ["alertname"] = title },
        ReceivedAt = T0,
    };

    private static AlertEvent Resolve(string key) => new()
    {
        Tenant = "default", Source = "events", Fingerprint = key, Action = AlertAction.Resolve, Title = "", ReceivedAt = T0,
    };

    private IncidentWrite Feed(int minute, params AlertEvent[] events)
    {
        var at = T0.AddMinutes(minute);
        var timed = events.Select(e => e with { ReceivedAt = at, StartsAt = at }).ToList();
        var write = new IncidentWrite();
        _board.TakeAlerts(timed, _book.Apply(timed), at, write);
        return write;
    }

    private TriageResult Triage(
        TriageAction action, long version, string actor, string text = "", AlertSeverity? severity = null, IReadOnlyList<string>? alerts = null, string id = "inc-1") =>
        _board.Triage(new TriageIncident("default", id, action, version, actor) { Text = text, Severity = severity, AlertIds = alerts ?? [] }, T0.AddMinutes(1), new IncidentWrite());

    private static WorkloadTopology Calls(params (string Caller, string Callee)[] calls)
    {
        var topology = new WorkloadTopology();
        foreach (var (caller, callee) in calls)
        {
            topology.ObserveCall(caller, callee);
        }

        return topology;
    }
}
