using TaskLens.Slack;

namespace TaskLens.UnitTests.Slack;

public sealed class SlackOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_AreValid_AndSlackIsOff()
    {
        var options = new SlackOptions();

        Assert.True(new SlackOptionsValidator().Validate(null, options).Succeeded);
        Assert.False(options.Enabled);
    }

    [Fact]
    public void Validate_BotTokenWithoutSecretOrChannel_ListsEveryError_WithoutEchoingSecrets()
    {
        var result = new SlackOptionsValidator().Validate(null, new SlackOptions
        {
            BotToken = "xoxp-user-token-secret",
            WebhookUrl = "not a url",
            CoalesceInterval = TimeSpan.FromHours(1),
            Routes = [new SlackRoute()],
            Users = [new SlackUserOption { SlackUserId = "ana", User = "" }],
        });

        Assert.True(result.Failed);
        var errors = result.Failures!.ToList();
        Assert.Equal(7, errors.Count);
        Assert.All(errors, e => Assert.StartsWith("TaskLens:Slack: ", e, StringComparison.Ordinal));
        Assert.DoesNotContain(errors, e => e.Contains("xoxp-user-token-secret", StringComparison.Ordinal));
        Assert.Contains("TaskLens:Slack: SigningSecret is required with a BotToken: buttons and the slash command are refused unless signed.", errors);
    }

    [Fact]
    public void Validate_LastRouteCatchesAll_NoDefaultChannelNeeded() =>
        Assert.True(new SlackOptionsValidator().Validate(null, new SlackOptions
        {
            BotToken = "xoxb-1",
            SigningSecret = "s",
            Routes = [new SlackRoute { Service = "payments", Channel = "C1" }, new SlackRoute { Channel = "C2" }],
        }).Succeeded);

    [Fact]
    public void Validate_WebhookOnly_IsWebhookMode()
    {
        var options = new SlackOptions { WebhookUrl = "https://hooks.slack.com/services/T/B/X" };

        Assert.True(new SlackOptionsValidator().Validate(null, options).Succeeded);
        Assert.True(options.UsesWebhook);
        Assert.False(options.UsesWebApi);
    }
}
