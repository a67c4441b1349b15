using TaskLens.Slack.Delivery;
using static TaskLens.UnitTests.Slack.Incidents;

namespace TaskLens.UnitTests.Slack;

public sealed class SlackOutboxTests
{
    private static readonly TimeSpan Coalesce = TimeSpan.FromSeconds(5);

    [Fact]
    public void Add_AFloodOfVersions_IsOneEntry_WithTheNewest()
    {
        var time = new ManualTime(At);
        using var outbox = new SlackOutbox(Coalesce, time);
        for (var v = 1; v <= 300; v++)
        {
            outbox.Add(Make(version: v));
        }

        outbox.Add(Make(version: 5));

        Assert.Equal(1, outbox.Count);
        Assert.Equal(300, outbox.Next().Incident!.Version);
    }

    [Fact]
    public void Add_AfterADelivery_IsDueOnlyOneIntervalLater()
    {
        var time = new ManualTime(At);
        using var outbox = new SlackOutbox(Coalesce, time);
        outbox.Add(Make(version: 1));
        outbox.Delivered(outbox.Next().Incident!);
        Assert.Equal(0, outbox.Count);

        time.Advance(TimeSpan.FromSeconds(1));
        outbox.Add(Make(version: 2));
        var (incident, _, wait) = outbox.Next();

        Assert.Null(incident);
        Assert.Equal(TimeSpan.FromSeconds(4), wait);
        time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(2, outbox.Next().Incident!.Version);
    }

    [Fact]
    public void Delivered_WhileANewerVersionArrived_KeepsItForTheNextInterval()
    {
        var time = new ManualTime(At);
        using var outbox = new SlackOutbox(Coalesce, time);
        outbox.Add(Make(version: 1));
        var taken = outbox.Next().Incident!;
        outbox.Add(Make(version: 2));

        outbox.Delivered(taken);

        Assert.Equal(1, outbox.Count);
        Assert.Null(outbox.Next().Incident);
        time.Advance(Coalesce);
        Assert.Equal(2, outbox.Next().Incident!.Version);
    }

    [Fact]
    public void Retry_CountsAttempts_AndWaits()
    {
        var time = new ManualTime(At);
        using var outbox = new SlackOutbox(Coalesce, time);
        outbox.Add(Make());
        outbox.Retry(Make(), TimeSpan.FromSeconds(2), counted: true);
        outbox.Retry(Make(), TimeSpan.FromSeconds(2), counted: false);

        Assert.Null(outbox.Next().Incident);
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(1, outbox.Next().Attempts);
    }

    [Fact]
    public void Next_SeveralIncidents_TakesTheOneDueFirst()
    {
        var time = new ManualTime(At);
        using var outbox = new SlackOutbox(Coalesce, time);
        outbox.Add(Make("inc-1"));
        time.Advance(TimeSpan.FromSeconds(1));
        outbox.Add(Make("inc-2"));

        Assert.Equal("inc-1", outbox.Next().Incident!.Id);
    }
}
