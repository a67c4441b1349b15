using System.Diagnostics;

namespace TaskLens.Benchmarks.Load;

/// <summary>Samples a process's resident set every 100 ms and keeps the peak.</summary>
internal sealed class RssSampler : IDisposable
{
    private readonly Process _process;
    private readonly Timer _timer;
    private long _peak;

    public RssSampler(Process process)
    {
        _process = process;
        _timer = new Timer(_ => Sample(), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(100));
    }

    public double PeakMiB
    {
        get
        {
            Sample();
            return Interlocked.Read(ref _peak) / 1024.0 / 1024.0;
        }
    }

    public void Dispose() => _timer.Dispose();

    private void Sample()
    {
        lock (_process)
        {
            _process.Refresh();
            var rss = _process.WorkingSet64;
            if (rss > Interlocked.Read(ref _peak))
            {
                Interlocked.Exchange(ref _peak, rss);
            }
        }
    }
}
