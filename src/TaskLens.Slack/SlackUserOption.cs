namespace TaskLens.Slack;

/// <summary>A Slack user (id such as <c>U0123456789</c>) who acts in TaskLens as <see cref="User"/>.</summary>
public sealed class SlackUserOption
{
    public string SlackUserId { get; set; } = "";
    public string User { get; set; } = "";
}
