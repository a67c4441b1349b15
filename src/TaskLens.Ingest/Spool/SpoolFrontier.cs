using TaskLens.Core.Ingest;

namespace TaskLens.Ingest.Spool;

/// <summary>
/// Answers <see cref="ISpoolFrontier"/> from two positions only, without touching the spool's write path: at each call it
/// notes the time and the end of what was committed (<see cref="DiskSpool.Committed"/>; an export is acknowledged once
/// committed, so every export acknowledged before that time lies before that position), and answers the latest time noted
/// whose position the drainer has stored past (<see cref="SpoolDrainer.Stored"/>). Samples are kept only while the drain
/// is behind, one per call at most and none while nothing new is committed, and thinned past
/// <see cref="MaxSamples"/> (a thinned answer is only earlier, never wrong). Thread-safe.
/// </summary>
internal sealed class SpoolFrontier(Func<SpoolPosition> committed, Func<SpoolPosition> stored) : ISpoolFrontier
{
    /// <summary>Samples kept at most (a day of one call a second would be 86,400); past it every other one is dropped.</summary>
    internal const int MaxSamples = 4096;

    private readonly Lock _gate = new();
    private readonly List<(DateTimeOffset At, SpoolPosition Committed)> _samples = [];
    private DateTimeOffset? _storedBefore;

    public SpoolFrontier(DiskSpool spool, SpoolDrainer drainer)
        : this(() => spool.Committed, () => drainer.Stored)
    {
    }

    public DateTimeOffset? StoredBefore(DateTimeOffset now)
    {
        lock (_gate)
        {
            // Stored first: a position read before the commit end can only be behind it, so the answer errs early.
            var storedThrough = stored();
            var end = committed();
            if (AtOrPast(storedThrough, end))
            {
                _samples.Clear();
                _storedBefore = now;
                return now;
            }

            if (_samples.Count > 0 && _samples[^1].Committed == end)
            {
                _samples[^1] = (now, end); // nothing committed since: acknowledged before now is acknowledged before that
            }
            else
            {
                _samples.Add((now, end));
            }

            var passed = 0;
            while (passed < _samples.Count && AtOrPast(storedThrough, _samples[passed].Committed))
            {
                _storedBefore = _samples[passed].At;
                passed++;
            }

            _samples.RemoveRange(0, passed);
            if (_samples.Count > MaxSamples)
            {
                // Every other one goes, the newest stays: a later answer can only be earlier than it would have been.
                var kept = _samples.Where((_, i) => i % 2 == 0 || i == _samples.Count - 1).ToList();
                _samples.Clear();
                _samples.AddRange(kept);
            }

            return _storedBefore;
        }
    }

    private static bool AtOrPast(SpoolPosition position, SpoolPosition other) =>
        position.Seq > other.Seq || (position.Seq == other.Seq && position.Offset >= other.Offset);
}
