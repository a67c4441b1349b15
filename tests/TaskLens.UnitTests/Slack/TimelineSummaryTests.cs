using TaskLens.Core.Incidents;
using TaskLens.Slack.Messages;
using static TaskLens.UnitTests.Slack.Incidents;

namespace TaskLens.UnitTests.Slack;

public sealed class TimelineSummaryTests
{
    private static readonly Dictionary<string, IReadOnlyList<string>> NoMentions = [];

    [Fact]
    public void Reply_HundredsOfJoinedAlerts_AreOneLine_WithTheFirstTitlesEscaped()
    {
        var joined = Enumerable.Range(0, 250).Select(i => Event(IncidentEventKind.AlertJoined, IncidentBoard.System, alertId: $"events:k{i}")).ToList();
        var titles = new Dictionary<string, string> { ["events:k0"] = "Checkout <!channel> 5xx", ["events:k1"] = "Latency" };

        var reply = TimelineSummary.Reply(joined, titles, "<x|more>");

        Assert.Equal("*250 alerts joined*: Checkout &lt;!channel&gt; 5xx; Latency; events:k2; events:k3; events:k4 …and 245 more", reply);
    }

    [Fact]
    public void Reply_TriageEvents_SayWhoDidWhat_InOrder()
    {
        var reply = TimelineSummary.Reply(
            [
                Event(IncidentEventKind.Acknowledged, "ana"),
                Event(IncidentEventKind.Assigned, "ana", text: "bo"),
                Event(IncidentEventKind.Noted, "bo", text: "rolled back <@U1>"),
                Event(IncidentEventKind.AlertResolved, IncidentBoard.System),
                Event(IncidentEventKind.AlertResolved, IncidentBoard.System),
                Event(IncidentEventKind.Resolved, IncidentBoard.System),
                Event(IncidentEventKind.Reopened, "bo"),
                Event(IncidentEventKind.MergedFrom, "bo", other: "inc-9"),
            ],
            new Dictionary<string, string>(),
            "<x|more>");

        Assert.Equal(
            "*2 alerts resolved at their source*\nAcknowledged by *ana*\nAssigned to bo by *ana*\nNote from *bo*: rolled back &lt;@U1&gt;\n"
            + "Resolved: every alert resolved at its source\nReopened by *bo*\ninc-9 merged in by *bo*",
            reply);
    }

    [Fact]
    public void Reply_NothingWorthSaying_IsNull() => Assert.Null(TimelineSummary.Reply([], new Dictionary<string, string>(), "m"));

    [Fact]
    public void Activity_MentionsTheLinkedSlackUsers_OfTheLatestActions()
    {
        var lines = TimelineSummary.Activity(
            [Event(IncidentEventKind.Acknowledged, "ana"), Event(IncidentEventKind.Assigned, "ana", text: "bo"), Event(IncidentEventKind.Resolved, "bo")],
            new Dictionary<string, IReadOnlyList<string>> { ["ana"] = ["U0ANA"] });

        Assert.Equal(3, lines.Count);
        Assert.StartsWith("Acknowledged by *ana* (<@U0ANA>) <!date^", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("Assigned to *bo* by *ana* <!date^", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("Resolved by *bo* <!date^", lines[2], StringComparison.Ordinal);
    }

    [Fact]
    public void Activity_ActorNames_AreEscaped_SoTheyCannotMention()
    {
        var lines = TimelineSummary.Activity([Event(IncidentEventKind.Acknowledged, "<!channel>*")], NoMentions);

        Assert.StartsWith("Acknowledged by *&lt;!channel&gt;* ", lines[0], StringComparison.Ordinal);
    }
}
