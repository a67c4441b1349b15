namespace TaskLens.Slack.WebApi;

/// <summary>
/// Slack refused a call: <see cref="Error"/> is Slack's error code (<c>channel_not_found</c>, <c>invalid_blocks</c>,
/// <c>ratelimited</c>, …); <see cref="RetryAfter"/> is set when Slack asked to wait (429).
/// </summary>
public sealed class SlackApiException : Exception
{
    public SlackApiException()
    {
    }

    public SlackApiException(string message)
        : base(message)
    {
        Error = message;
    }

    public SlackApiException(string message, Exception innerException)
        : base(message, innerException)
    {
        Error = message;
    }

    public SlackApiException(string error, TimeSpan? retryAfter)
        : base("Slack answered " + error)
    {
        Error = error;
        RetryAfter = retryAfter;
    }

    public string Error { get; } = "";

    public TimeSpan? RetryAfter { get; }

    /// <summary>The message named no longer exists (deleted, or its channel archived): post a new one.</summary>
    public bool MessageGone => Error is "message_not_found" or "channel_not_found" or "is_archived" or "cant_update_message";
}
