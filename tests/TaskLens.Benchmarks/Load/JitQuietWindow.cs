namespace TaskLens.Benchmarks.Load;

/// <summary>
/// Tells from successive readings of the methods the JIT has compiled (a cumulative counter) when it has gone quiet:
/// once the readings cover at least <paramref name="window"/> and the count grew by at most
/// <paramref name="methodsPerSecond"/> a second over the latest window that long.
/// </summary>
internal sealed class JitQuietWindow(TimeSpan window, double methodsPerSecond)
{
    private readonly List<(TimeSpan At, double Methods)> _readings = [];

    /// <summary>Methods compiled over the window last judged.</summary>
    public double Compiled => _readings.Count == 0 ? 0 : _readings[^1].Methods - _readings[0].Methods;

    /// <summary>How long the window last judged is (shorter than asked while the readings began less than that ago).</summary>
    public TimeSpan Covered => _readings.Count == 0 ? TimeSpan.Zero : _readings[^1].At - _readings[0].At;

    /// <summary>Adds the reading <paramref name="methods"/> taken at <paramref name="at"/>; true when the JIT is quiet.</summary>
    public bool Add(TimeSpan at, double methods)
    {
        _readings.Add((at, methods));
        // The first reading kept is the latest one at least a window before this one, so the window ends now.
        while (_readings.Count > 1 && at - _readings[1].At >= window)
        {
            _readings.RemoveAt(0);
        }

        return Covered >= window && Compiled <= methodsPerSecond * window.TotalSeconds;
    }
}
