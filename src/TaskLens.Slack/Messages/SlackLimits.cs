namespace TaskLens.Slack.Messages;

/// <summary>Slack's documented limits (https://api.slack.com/reference/block-kit/blocks), which Slack enforces with <c>invalid_blocks</c>.</summary>
internal static class SlackLimits
{
    public const int Blocks = 50;
    public const int SectionText = 3000;
    public const int HeaderText = 150;
    public const int FieldText = 2000;
    public const int Fields = 10;
    public const int ButtonText = 75;
    public const int ButtonValue = 2000;
    public const int ContextElements = 10;

    /// <summary>What TaskLens keeps a message's <c>text</c> (the notification fallback) and a thread reply under.</summary>
    public const int MessageText = 3000;
}
