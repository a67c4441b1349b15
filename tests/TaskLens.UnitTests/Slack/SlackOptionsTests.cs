using TaskLens.Slack;

namespace TaskLens.UnitTests.Slack;

public sealed class SlackOptionsTests
{
    [Fact]
    public void Validate_Defaults_AreValid_AndSlackIsOff()
    {
        var options = new SlackOptions();

        Assert.Empty(options.Validate());
        Assert.False(options.Enabled);
    }

    [Fact]
    public void Validate_BotTokenWithoutSecretOrChannel_ListsEveryError_WithoutEchoingSecrets()
    {
        var errors = new SlackOptions
        {
            BotToken = "xoxp-user-token-secret",
            WebhookUrl = "not a url",
            CoalesceInterval = TimeSpan.FromHours(1),
            Routes = [new SlackRoute()],
            Users = [new SlackUserOption { SlackUserId = "ana", User = "" }],
        }.Validate();

        Assert.Equal(7, errors.Count);
        Assert.DoesNotContain(errors, e => e.Contains("xoxp-user-token-secret", StringComparison.Ordinal));
        Assert.Contains("SigningSecret is required with a BotToken: buttons and the slash command are refused unless signed.", errors);
    }

    [Fact]
    public void Validate_LastRouteCatchesAll_NoDefaultChannelNeeded() =>
        Assert.Empty(new SlackOptions
        {
            BotToken = "xoxb-1",
            SigningSecret = "s",
            Routes = [new SlackRoute { Service = "payments", Channel = "C1" }, new SlackRoute { Channel = "C2" }],
        }.Validate());

    [Fact]
    public void Validate_WebhookOnly_IsWebhookMode()
    {
        var options = new SlackOptions { WebhookUrl = "https://hooks.slack.com/services/T/B/X" };

        Assert.Empty(options.Validate());
        Assert.True(options.UsesWebhook);
        Assert.False(options.UsesWebApi);
    }
}
