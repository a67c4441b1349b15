using System.Globalization;
using System.Text.Json;
using TaskLens.Detection;

namespace TaskLens.Server.Cli;

/// <summary>
/// <c>tasklens detect --input series.csv [--detector NAME]</c>: runs one detector over a <c>timestamp,value</c> CSV
/// (a header row is allowed; timestamps ISO 8601, <c>YYYY-MM-DD HH:MM:SS</c> in UTC, or Unix seconds) and prints one
/// JSON line per anomaly. Rows whose timestamp is not after the previous row's are skipped with a warning on stderr.
/// Exit codes: 0 done, 1 unreadable input, 2 bad arguments.
/// </summary>
internal static class DetectCommand
{
    public const string Verb = "detect";

    private static readonly string Usage =
        $"usage: tasklens detect --input series.csv [--detector NAME]\ndetectors: {string.Join(", ", Detectors.Names)} (default {Detectors.Default})";

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        string? input = null;
        var detectorName = Detectors.Default;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--input" when i + 1 < args.Count:
                    input = args[++i];
                    break;
                case "--detector" when i + 1 < args.Count:
                    detectorName = args[++i];
                    break;
                default:
                    await error.WriteLineAsync($"unknown or incomplete argument '{args[i]}'\n{Usage}");
                    return 2;
            }
        }

        if (input is null)
        {
            await error.WriteLineAsync($"--input is required\n{Usage}");
            return 2;
        }

        if (Detectors.Create(detectorName) is not { } detector)
        {
            await error.WriteLineAsync($"unknown detector '{detectorName}'\n{Usage}");
            return 2;
        }

        if (!File.Exists(input))
        {
            await error.WriteLineAsync($"no such file: {input}");
            return 1;
        }

        var lineNumber = 0;
        DateTimeOffset? previous = null;
        foreach (var line in File.ReadLines(input))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            if (!TryParse(line, out var timestamp, out var value, out var problem))
            {
                if (lineNumber == 1)
                {
                    continue; // a header row
                }

                await error.WriteLineAsync($"{input}:{lineNumber}: {problem}");
                return 1;
            }

            if (timestamp <= previous)
            {
                // Real exports have clock steps backwards; detection is causal, so such rows are left out, said so.
                await error.WriteLineAsync($"{input}:{lineNumber}: warning: timestamp not after the previous row's ({previous:u}); row skipped");
                continue;
            }

            previous = timestamp;
            if (detector.Observe(timestamp, value) is { } anomaly)
            {
                await output.WriteLineAsync(ToJson(anomaly));
            }
        }

        return 0;
    }

    internal static string ToJson(Anomaly anomaly) => JsonSerializer.Serialize(new
    {
        timestamp = anomaly.Timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture),
        value = anomaly.Value,
        expected = anomaly.Expected,
        lower = anomaly.Lower,
        upper = anomaly.Upper,
        score = Math.Round(anomaly.Score, 4),
        detector = anomaly.Detector,
    });

    private static bool TryParse(string line, out DateTimeOffset timestamp, out double value, out string problem)
    {
        timestamp = default;
        value = 0;
        var parts = line.Split(',');
        if (parts.Length != 2)
        {
            problem = "expected two columns: timestamp,value";
            return false;
        }

        var time = parts[0].Trim().Trim('"');
        if (long.TryParse(time, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds))
        {
            timestamp = DateTimeOffset.FromUnixTimeSeconds(seconds);
        }
        else if (!DateTimeOffset.TryParse(time, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out timestamp))
        {
            problem = $"'{time}' is not a timestamp (ISO 8601, 'YYYY-MM-DD HH:MM:SS' or Unix seconds)";
            return false;
        }

        if (!double.TryParse(parts[1].Trim().Trim('"'), NumberStyles.Float, CultureInfo.InvariantCulture, out value) || !double.IsFinite(value))
        {
            problem = $"'{parts[1].Trim()}' is not a finite number";
            return false;
        }

        problem = "";
        return true;
    }
}
