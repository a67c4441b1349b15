using System.Diagnostics;
using System.Globalization;

namespace TaskLens.Benchmarks.Load;

/// <summary>
/// Reads CPU time and peak resident set of the TaskLens server and of the ClickHouse server it runs (its child) from
/// /proc, so both processes' cost per span is counted.
/// </summary>
internal sealed class ProcessMeter
{
    private readonly Process _server;
    private readonly Process _clickHouse;

    public ProcessMeter(Process server)
    {
        _server = server;
        _clickHouse = Process.GetProcessById(FindChild(server.Id, "clickhouse"));
    }

    /// <summary>CPU time (user + system) used so far by TaskLens and by ClickHouse.</summary>
    public (TimeSpan TaskLens, TimeSpan ClickHouse) Cpu()
    {
        _server.Refresh();
        _clickHouse.Refresh();
        return (_server.TotalProcessorTime, _clickHouse.TotalProcessorTime);
    }

    /// <summary>ClickHouse's CPU time so far by thread name (queries, merges, system logs).</summary>
    public ThreadCpu ClickHouseThreads()
    {
        _clickHouse.Refresh();
        return ThreadCpu.Read(_clickHouse.Id, _clickHouse.TotalProcessorTime);
    }

    /// <summary>Starts a new peak: the kernel's high-water mark of the resident set (VmHWM) is reset to the current size.</summary>
    public void ResetPeakRss() => File.WriteAllText($"/proc/{_server.Id}/clear_refs", "5");

    /// <summary>TaskLens's peak resident set since the last <see cref="ResetPeakRss"/> (or its start), in MiB.</summary>
    public double PeakRssMiB()
    {
        foreach (var line in File.ReadLines($"/proc/{_server.Id}/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
            }
        }

        throw new InvalidOperationException("No VmHWM in /proc status.");
    }

    private static int FindChild(int parent, string name)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            foreach (var directory in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(directory), out var pid))
                {
                    continue;
                }

                try
                {
                    // stat: "pid (comm) state ppid ..."; comm may hold spaces, so split after its closing parenthesis.
                    var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    if (int.Parse(fields[1], CultureInfo.InvariantCulture) == parent
                        && File.ReadAllText(Path.Combine(directory, "cmdline")).Contains(name, StringComparison.Ordinal))
                    {
                        return pid;
                    }
                }
                catch (IOException)
                {
                    // The process ended while we looked.
                }
            }

            Thread.Sleep(100);
        }

        throw new InvalidOperationException($"No {name} child of process {parent}.");
    }
}
