using TaskLens.Core.Alerts;
using TaskLens.Core.Alerts.Intake;

namespace TaskLens.UnitTests.Alerts;

public sealed class AlertBookTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 1, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Apply_FireRepeatResolveRefire_CountsFiresOnce_PerOpening()
    {
        var book = new AlertBook();

        var changes = book.Apply([Event(AlertAction.Trigger, 0), Event(AlertAction.Trigger, 1), Event(AlertAction.Resolve, 2), Event(AlertAction.Resolve, 3), Event(AlertAction.Trigger, 4)]);

        Assert.Equal([AlertChange.Opened, AlertChange.Repeated, AlertChange.Resolved, AlertChange.AlreadyResolved, AlertChange.Refired], changes.Select(c => c.Change));
        var last = changes[^1].State;
        Assert.Equal((AlertStateStatus.Firing, 2, 5, 5L, T0, T0.AddMinutes(4), (DateTimeOffset?)null),
            (last.Status, last.Fires, last.Events, last.Version, last.FirstSeen, last.LastSeen, last.ResolvedAt));
        Assert.Equal(T0.AddMinutes(2), changes[2].State.ResolvedAt);
    }

    [Fact]
    public void Plan_KeepsNothing_UntilTheStatesAreRestored_ThenTheSameEventIsARepeat()
    {
        var book = new AlertBook();

        var first = book.Plan([Event(AlertAction.Trigger, 0), Event(AlertAction.Resolve, 1)]);
        var retried = book.Plan([Event(AlertAction.Trigger, 0)]);
        book.Restore(retried.Select(r => r.State));
        var repeat = book.Plan([Event(AlertAction.Trigger, 2)]);

        Assert.Equal([AlertChange.Opened, AlertChange.Resolved], first.Select(r => r.Change)); // the resolve saw the trigger before it
        Assert.Equal((1, AlertChange.Opened), (book.Count, retried[0].Change)); // opened again: the first plan was not kept
        Assert.Equal((AlertChange.Repeated, 2L), (repeat[0].Change, repeat[0].State.Version));
    }

    [Fact]
    public void Apply_Acknowledge_OnlyAFiringAlert_AndAResolveAfterIt()
    {
        var book = new AlertBook();

        var changes = book.Apply([Event(AlertAction.Trigger, 0), Event(AlertAction.Acknowledge, 1), Event(AlertAction.Acknowledge, 2), Event(AlertAction.Resolve, 3)]);

        Assert.Equal([AlertChange.Opened, AlertChange.Acknowledged, AlertChange.Repeated, AlertChange.Resolved], changes.Select(c => c.Change));
        Assert.Equal(AlertStateStatus.Acknowledged, changes[2].State.Status);
    }

    [Fact]
    public void Apply_AcknowledgeOrResolveOfAnUnknownAlert_IsRecorded_NotCountedAsAFire()
    {
        var book = new AlertBook();

        var changes = book.Apply([Event(AlertAction.Acknowledge, 0), Event(AlertAction.Resolve, 0) with { Fingerprint = "f2" }]);

        Assert.Equal([(AlertChange.Acknowledged, AlertStateStatus.Acknowledged, 0), (AlertChange.AlreadyResolved, AlertStateStatus.Resolved, 0)],
            changes.Select(c => (c.Change, c.State.Status, c.State.Fires)));
    }

    [Fact]
    public void Apply_SameFingerprint_OtherSourceOrTenant_IsAnotherAlert()
    {
        var book = new AlertBook();

        book.Apply([Event(AlertAction.Trigger, 0), Event(AlertAction.Trigger, 0) with { Source = "grafana" }, Event(AlertAction.Trigger, 0) with { Tenant = "acme" }]);

        Assert.Equal(3, book.Count);
    }

    [Fact]
    public void Restore_ThenApply_ContinuesFromTheStoredVersion()
    {
        var book = new AlertBook();
        var stored = new AlertBook().Apply([Event(AlertAction.Trigger, 0), Event(AlertAction.Resolve, 1)])[^1].State;

        book.Restore([stored]);
        var (state, change) = book.Apply([Event(AlertAction.Trigger, 2)])[0];

        Assert.Equal((AlertChange.Refired, 2, 3L), (change, state.Fires, state.Version));
    }

    private static AlertEvent Event(AlertAction action, int minute) => new()
    {
        Tenant = "default",
        Source = "alertmanager",
        Fingerprint = "f1",
        Action = action,
        Title = "CheckoutErrors",
        Severity = AlertSeverity.Critical,
        ReceivedAt = T0.AddMinutes(minute),
    };
}
