using System.Globalization;
using System.Text.Json;
using TaskLens.Detection.Scoring;

namespace TaskLens.Benchmarks.Detection;

/// <summary>One NAB series: its group, points and labelled windows.</summary>
internal sealed record NabSeries(string Name, string Group, List<DateTimeOffset> Timestamps, List<double> Values, List<LabelledWindow> Windows)
{
    /// <summary>Every series of the set, ordered by name (the README's layout: <c>windows.json</c> and one CSV per series).</summary>
    public static async Task<List<NabSeries>> LoadAsync(string dataDirectory)
    {
        using var windowsFile = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(dataDirectory, "windows.json")));
        var all = new List<NabSeries>();
        foreach (var series in windowsFile.RootElement.EnumerateObject().OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            var windows = series.Value.EnumerateArray()
                .Select(w => new LabelledWindow(Time(w[0].GetString()!), Time(w[1].GetString()!)))
                .ToList();
            var timestamps = new List<DateTimeOffset>();
            var values = new List<double>();
            foreach (var line in (await File.ReadAllLinesAsync(Path.Combine(dataDirectory, series.Name))).Skip(1))
            {
                var comma = line.IndexOf(',', StringComparison.Ordinal);
                if (comma > 0)
                {
                    timestamps.Add(Time(line[..comma]));
                    values.Add(double.Parse(line.AsSpan(comma + 1), NumberStyles.Float, CultureInfo.InvariantCulture));
                }
            }

            all.Add(new NabSeries(series.Name, series.Name.Split('/')[0], timestamps, values, windows));
        }

        return all;
    }

    private static DateTimeOffset Time(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
}
