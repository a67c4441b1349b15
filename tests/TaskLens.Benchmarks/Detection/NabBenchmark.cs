using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using TaskLens.Detection;
using TaskLens.Detection.Scoring;

namespace TaskLens.Benchmarks.Detection;

/// <summary>
/// Detection accuracy over the NAB development set (<c>../shared/data/nab</c>), scored as its README says: per group
/// and overall precision, recall and F1 of alert events against the labelled windows, and the cost per point, for every
/// detector by name (the combined one is what TaskLens runs) beside the rolling 3σ baseline, in the same run.
/// </summary>
internal static class NabBenchmark
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static async Task<int> RunAsync(string dataDirectory, string outputDirectory)
    {
        using var windowsFile = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(dataDirectory, "windows.json")));
        var rows = new List<NabRow>();

        // Two passes, the first untimed, so the cost per point is not the JIT's.
        for (var pass = 0; pass < 2; pass++)
        {
            rows.Clear();
            await RunOnceAsync(dataDirectory, windowsFile, rows);
        }

        var report = NabReport.From(rows);
        Directory.CreateDirectory(outputDirectory);
        await File.WriteAllTextAsync(Path.Combine(outputDirectory, "nab.json"), JsonSerializer.Serialize(report, Indented));
        await File.WriteAllTextAsync(Path.Combine(outputDirectory, "nab.md"), report.ToMarkdown());
        Console.WriteLine(report.ToMarkdown());
        return 0;
    }

    private static async Task RunOnceAsync(string dataDirectory, JsonDocument windowsFile, List<NabRow> rows)
    {
        foreach (var series in windowsFile.RootElement.EnumerateObject().OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            var group = series.Name.Split('/')[0];
            var windows = series.Value.EnumerateArray()
                .Select(w => new LabelledWindow(Time(w[0].GetString()!), Time(w[1].GetString()!)))
                .ToList();
            var (timestamps, values) = await ReadAsync(Path.Combine(dataDirectory, series.Name));
            foreach (var name in Detectors.Names)
            {
                var detector = Detectors.Create(name)!;
                var alerted = new List<int>();
                var clock = Stopwatch.StartNew();
                for (var i = 0; i < values.Count; i++)
                {
                    if (detector.Observe(timestamps[i], values[i]) is not null)
                    {
                        alerted.Add(i);
                    }
                }

                var elapsed = clock.Elapsed;
                rows.Add(new NabRow(group, detector.Name, EventScoring.Score(timestamps, alerted, windows), values.Count, elapsed.TotalMicroseconds));
            }
        }
    }

    private static DateTimeOffset Time(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    private static async Task<(List<DateTimeOffset> Timestamps, List<double> Values)> ReadAsync(string path)
    {
        var timestamps = new List<DateTimeOffset>();
        var values = new List<double>();
        foreach (var line in (await File.ReadAllLinesAsync(path)).Skip(1))
        {
            var comma = line.IndexOf(',', StringComparison.Ordinal);
            if (comma > 0)
            {
                timestamps.Add(Time(line[..comma]));
                values.Add(double.Parse(line.AsSpan(comma + 1), NumberStyles.Float, CultureInfo.InvariantCulture));
            }
        }

        return (timestamps, values);
    }
}

internal sealed record NabRow(string Group, string Detector, EventScore Score, int Points, double Microseconds);

internal sealed record NabReport(IReadOnlyList<NabReportLine> Lines)
{
    public static NabReport From(IReadOnlyList<NabRow> rows)
    {
        var lines = rows.GroupBy(r => (r.Detector, r.Group))
            .Select(g => Line(g.Key.Detector, g.Key.Group, g.ToList()))
            .Concat(rows.GroupBy(r => r.Detector).Select(g => Line(g.Key, "overall", g.ToList())))
            .ToList();
        return new NabReport(lines);

        static NabReportLine Line(string detector, string group, List<NabRow> rows)
        {
            var score = rows.Aggregate(default(EventScore), (sum, r) => sum + r.Score);
            return new NabReportLine(detector, group, score.Windows, score.Events, score.DetectedWindows, score.FalsePositives,
                score.Precision, score.Recall, score.F1, rows.Sum(r => r.Microseconds) / rows.Sum(r => r.Points));
        }
    }

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine("| detector | group | windows | alert events | detected | false positives | precision | recall | F1 | µs per point |");
        text.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var l in Lines)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {l.Detector} | {l.Group} | {l.Windows} | {l.Events:N0} | {l.Detected} | {l.FalsePositives:N0} | {l.Precision:0.000} | {l.Recall:0.000} | {l.F1:0.000} | {l.MicrosecondsPerPoint:0.000} |");
        }

        return text.ToString();
    }
}

internal sealed record NabReportLine(
    string Detector, string Group, int Windows, int Events, int Detected, int FalsePositives, double Precision, double Recall, double F1, double MicrosecondsPerPoint);
