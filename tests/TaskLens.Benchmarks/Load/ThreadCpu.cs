using System.Globalization;
using System.Text;

namespace TaskLens.Benchmarks.Load;

/// <summary>
/// A process's CPU time by thread name, from <c>/proc/PID/task/*/stat</c>. ClickHouse names its threads by job:
/// <c>HTTPHandler</c> runs queries (an insert with its materialized views, or a read), <c>BackgrProcPool</c> merges,
/// <c>SystemLogFlush</c> writes the system logs (only with <see cref="ClickHouseProfile"/>), so the difference of two
/// snapshots splits ClickHouse's CPU in a window into queries and merges without any system log of its own. Threads that
/// ended between the snapshots count under "ended threads" (the process's total less its live threads).
/// </summary>
internal sealed class ThreadCpu
{
    private const string Ended = "ended threads";

    private readonly Dictionary<string, double> _seconds;

    private ThreadCpu(Dictionary<string, double> seconds) => _seconds = seconds;

    public static ThreadCpu Read(int pid, TimeSpan processTotal)
    {
        var seconds = new Dictionary<string, double>(StringComparer.Ordinal);
        var live = 0.0;
        foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            try
            {
                // stat: "tid (comm) state ..."; utime and stime are fields 14 and 15, in clock ticks (USER_HZ, 100 on Linux).
                var stat = File.ReadAllText(Path.Combine(task, "stat"));
                var name = stat[(stat.IndexOf('(') + 1)..stat.LastIndexOf(')')];
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var cpu = (double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture)) / 100;
                seconds[name] = seconds.GetValueOrDefault(name) + cpu;
                live += cpu;
            }
            catch (IOException)
            {
                // The thread ended while we looked: its time is in the process's total.
            }
        }

        seconds[Ended] = processTotal.TotalSeconds - live;
        return new ThreadCpu(seconds);
    }

    /// <summary>CPU-µs per <paramref name="units"/> by thread name since <paramref name="before"/>, largest first, one line.</summary>
    public string DescribeSince(ThreadCpu before, long units, string unit)
    {
        var text = new StringBuilder();
        foreach (var (name, seconds) in _seconds
                     .Select(t => (Name: t.Key, Seconds: t.Value - before._seconds.GetValueOrDefault(t.Key)))
                     .Where(t => Math.Abs(t.Seconds) >= 0.005)
                     .OrderByDescending(t => t.Seconds))
        {
            text.Append(text.Length == 0 ? "" : ", ").Append(CultureInfo.InvariantCulture, $"{name} {seconds * 1e6 / units:N2}");
        }

        return $"ClickHouse CPU-µs per {unit} by thread: {text}";
    }
}
