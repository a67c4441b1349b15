using System.Text.Json.Nodes;
using TaskLens.Core.Incidents;
using TaskLens.Slack.Messages;

namespace TaskLens.UnitTests.Slack;

public sealed class IncidentMessageTests
{
    private static readonly Uri Dashboard = new("http://localhost:8080/");

    [Fact]
    public void Build_TriggeredIncident_HasHeaderFactsSummaryAndTheThreeButtons()
    {
        var (text, blocks) = IncidentMessage.Build(new IncidentCard(Incidents.Make(version: 7), "Checkout failing.", [], Buttons: true), Dashboard);

        Assert.Equal("[critical] inc-1: Checkout 5xx above 5% (triggered)", text);
        Assert.Equal(["header", "section", "section", "section", "actions"], blocks.Select(b => b!["type"]!.GetValue<string>()));
        Assert.Equal("🔴 inc-1: Checkout 5xx above 5%", blocks[0]!["text"]!["text"]!.GetValue<string>());
        var buttons = blocks[^1]!["elements"]!.AsArray();
        Assert.Equal(["tasklens_ack", "tasklens_resolve", "tasklens_assign_me", "tasklens_open"], buttons.Select(b => b!["action_id"]!.GetValue<string>()));
        Assert.Equal("default|inc-1|7", buttons[0]!["value"]!.GetValue<string>());
        Assert.Equal("http://localhost:8080/incidents/inc-1", buttons[3]!["url"]!.GetValue<string>());
        Assert.Contains("*Goals:* refund-claims\n*Services:* checkout", blocks[2]!["text"]!["text"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(IncidentStatus.Acknowledged, new[] { "tasklens_resolve", "tasklens_assign_me", "tasklens_open" })]
    [InlineData(IncidentStatus.Resolved, new[] { "tasklens_open" })]
    [InlineData(IncidentStatus.Merged, new[] { "tasklens_open" })]
    public void Build_ButtonsFollowTheStatus(IncidentStatus status, string[] expected)
    {
        var (_, blocks) = IncidentMessage.Build(new IncidentCard(Incidents.Make(status: status), "", [], Buttons: true), Dashboard);

        Assert.Equal(expected, blocks[^1]!["elements"]!.AsArray().Select(b => b!["action_id"]!.GetValue<string>()));
    }

    [Fact]
    public void Build_WebhookCard_HasOnlyTheLinkButton()
    {
        var (_, blocks) = IncidentMessage.Build(new IncidentCard(Incidents.Make(), "", [], Buttons: false), Dashboard);

        Assert.Equal(["tasklens_open"], blocks[^1]!["elements"]!.AsArray().Select(b => b!["action_id"]!.GetValue<string>()));
    }

    [Fact]
    public void Build_HugeTitleGoalsAndSummary_StaysWithinSlacksLimits_WithALinkToTheRest()
    {
        var incident = Incidents.Make(title: string.Concat(Enumerable.Repeat("<!channel> & title ", 50))) with
        {
            Goals = Enumerable.Range(0, 600).Select(i => $"goal-{i}").ToList(),
            Services = Enumerable.Range(0, 600).Select(i => $"service-{i}").ToList(),
            Assignee = new string('a', 3000),
        };
        var (text, blocks) = IncidentMessage.Build(new IncidentCard(incident, new string('s', 10_000), [new string('x', 5000)], Buttons: true), Dashboard);

        Assert.True(text.Length <= SlackLimits.MessageText);
        var header = blocks[0]!["text"]!["text"]!.GetValue<string>();
        Assert.True(header.Length <= SlackLimits.HeaderText, $"header {header.Length}");
        Assert.EndsWith("…", header, StringComparison.Ordinal);
        Assert.DoesNotContain("<!channel>", header + text, StringComparison.Ordinal);
        foreach (var section in blocks.Where(b => b!["type"]!.GetValue<string>() == "section"))
        {
            if (section!["text"] is JsonObject t)
            {
                Assert.True(t["text"]!.GetValue<string>().Length <= SlackLimits.SectionText);
            }

            foreach (var field in section["fields"]?.AsArray() ?? [])
            {
                Assert.True(field!["text"]!.GetValue<string>().Length <= SlackLimits.FieldText);
            }
        }

        Assert.EndsWith("… <http://localhost:8080/incidents/inc-1|read the whole brief in TaskLens>", blocks[3]!["text"]!["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.EndsWith("… <http://localhost:8080/incidents/inc-1|more in TaskLens>", blocks[2]!["text"]!["text"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void Fit_MoreThanFiftyBlocks_KeepsFortyNine_AndPointsToTheRest()
    {
        var blocks = new JsonArray(Enumerable.Range(0, 70).Select(i => (JsonNode)new JsonObject { ["type"] = "divider" }).ToArray());

        var fitted = IncidentMessage.Fit(blocks, "<http://x|more>");

        Assert.Equal(SlackLimits.Blocks, fitted.Count);
        Assert.Equal("…and 21 more parts: <http://x|more>", fitted[^1]!["text"]!["text"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("default|inc-3|12", true, "default", "inc-3", 12L)]
    [InlineData("default|inc-3|-1", false, "", "", 0L)]
    [InlineData("default|inc-3", false, "", "", 0L)]
    [InlineData("|inc-3|1", false, "", "", 0L)]
    [InlineData("a|b|c|1", false, "", "", 0L)]
    public void TryReadButtonValue_OnlyTheValuesTaskLensWrites(string value, bool ok, string tenant, string id, long version)
    {
        Assert.Equal(ok, IncidentMessage.TryReadButtonValue(value, out var t, out var i, out var v));
        Assert.Equal((tenant, id, version), ok ? (t, i, v) : ("", "", 0L));
    }
}
