namespace TaskLens.Slack.Delivery;

/// <summary>
/// At most one message per channel per interval (Slack allows about one a second per channel), counted from when the
/// previous call was answered so Slack sees the gap whatever the network did; a 429 holds the channel for its Retry-After.
/// </summary>
internal sealed class ChannelPacer(TimeSpan interval, TimeProvider time)
{
    private readonly Dictionary<string, DateTimeOffset> _free = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>How long until the channel may take the next message.</summary>
    public TimeSpan WaitFor(string channel)
    {
        lock (_lock)
        {
            return _free.TryGetValue(channel, out var free) && free > time.GetUtcNow() ? free - time.GetUtcNow() : TimeSpan.Zero;
        }
    }

    public async Task WaitAsync(string channel, CancellationToken cancellationToken)
    {
        for (var wait = WaitFor(channel); wait > TimeSpan.Zero; wait = WaitFor(channel))
        {
            await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A call to the channel was answered (or failed) now.</summary>
    public void Sent(string channel) => Hold(channel, interval);

    /// <summary>Slack asked to wait: nothing goes to the channel before then.</summary>
    public void Hold(string channel, TimeSpan delay)
    {
        lock (_lock)
        {
            var until = time.GetUtcNow() + delay;
            if (!_free.TryGetValue(channel, out var free) || free < until)
            {
                _free[channel] = until;
            }
        }
    }
}
