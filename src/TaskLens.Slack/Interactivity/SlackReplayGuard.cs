namespace TaskLens.Slack.Interactivity;

/// <summary>
/// Refuses a signed request seen before: Slack signs each delivery afresh (its timestamp changes), so the same signature
/// twice within the window is a replay. Older ones are refused as stale anyway, so signatures are kept for the window only.
/// </summary>
internal sealed class SlackReplayGuard(TimeProvider time)
{
    private readonly Dictionary<string, DateTimeOffset> _seen = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>True the first time a signature is offered; false for every later time within the window.</summary>
    public bool FirstTime(string signature)
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            if (_seen.Count >= 4096)
            {
                foreach (var old in _seen.Where(s => s.Value < now).Select(s => s.Key).ToList())
                {
                    _seen.Remove(old);
                }
            }

            if (_seen.TryGetValue(signature, out var until) && until >= now)
            {
                return false;
            }

            // Past twice the window a timestamp is stale whichever way the clocks differ.
            _seen[signature] = now + SlackSignature.Window + SlackSignature.Window;
            return true;
        }
    }
}
