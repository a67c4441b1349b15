using Microsoft.Extensions.Options;
using TaskLens.Core.Alerts;
using TaskLens.Slack;
using TaskLens.Slack.Delivery;
using static TaskLens.UnitTests.Slack.Incidents;

namespace TaskLens.UnitTests.Slack;

public sealed class SlackRouterTests
{
    private static readonly SlackRouter Router = new(Options.Create(new SlackOptions
    {
        Channel = "C-DEFAULT",
        Routes =
        [
            new SlackRoute { Tenant = "acme", Channel = "C-ACME" },
            new SlackRoute { Goal = "Refund-Claims", MinSeverity = AlertSeverity.Critical, Channel = "C-REFUNDS-PAGE" },
            new SlackRoute { Goal = "refund-claims", Channel = "C-REFUNDS" },
            new SlackRoute { Service = "payments", Channel = "C-PAYMENTS" },
        ],
    }));

    [Fact]
    public void ChannelFor_TenantRoute_WinsFirst() => Assert.Equal("C-ACME", Router.ChannelFor(Make() with { Tenant = "acme" }));

    [Fact]
    public void ChannelFor_GoalAndSeverity_MustBothHold()
    {
        Assert.Equal("C-REFUNDS-PAGE", Router.ChannelFor(Make()));
        Assert.Equal("C-REFUNDS", Router.ChannelFor(Make() with { Severity = AlertSeverity.Warning }));
    }

    [Fact]
    public void ChannelFor_ServiceRoute_MatchesAnyOfTheIncidentsServices() =>
        Assert.Equal("C-PAYMENTS", Router.ChannelFor(Make() with { Goals = [], Services = ["checkout", "payments"] }));

    [Fact]
    public void ChannelFor_NoRouteMatches_IsTheDefaultChannel() =>
        Assert.Equal("C-DEFAULT", Router.ChannelFor(Make() with { Goals = ["other"], Services = ["search"] }));
}
