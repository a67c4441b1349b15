using System.Globalization;
using System.Text;

namespace TaskLens.Benchmarks.Load;

/// <summary>
/// Reads the server's <c>/metrics</c> (Prometheus text exposition format 0.0.4, as OpenTelemetry's exporter writes it)
/// into samples, for the load run's counters and histograms (<c>RuntimeCounters</c>, <c>StageHistograms</c>,
/// <c>GoalRollupCounters</c>): <c>name{label="value",...} value [timestamp]</c>, label values with <c>\\</c>,
/// <c>\"</c> and <c>\n</c> escapes, comment and blank lines skipped, an OpenMetrics exemplar (<c> # {...} value</c>)
/// after the value ignored. A line that is none of these throws, naming the line: a bench figure is not read from a
/// scrape it does not understand.
/// </summary>
internal static class PrometheusText
{
    public static async Task<IReadOnlyList<PrometheusSample>> ScrapeAsync(HttpClient http, int apiPort) =>
        Parse(await http.GetStringAsync(new Uri($"http://127.0.0.1:{apiPort}/metrics")));

    public static IReadOnlyList<PrometheusSample> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var samples = new List<PrometheusSample>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r').TrimStart(' ', '\t');
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            samples.Add(ParseLine(line) ?? throw new FormatException($"Not a Prometheus text sample: \"{line}\"."));
        }

        return samples;
    }

    /// <summary>A sample value or an <c>le</c> bound: a float, or <c>+Inf</c>, <c>-Inf</c>, <c>NaN</c>.</summary>
    public static double ParseValue(string value) => TryParseValue(value, out var parsed)
        ? parsed
        : throw new FormatException($"Not a Prometheus sample value: \"{value}\".");

    private static bool TryParseValue(ReadOnlySpan<char> value, out double parsed)
    {
        switch (value)
        {
            case "+Inf" or "Inf":
                parsed = double.PositiveInfinity;
                return true;
            case "-Inf":
                parsed = double.NegativeInfinity;
                return true;
            case "NaN":
                parsed = double.NaN;
                return true;
            default:
                // Digits, sign, point and exponent only: double.Parse would also take "Infinity" or thousands separators.
                foreach (var c in value)
                {
                    if (!char.IsAsciiDigit(c) && c is not ('.' or '-' or '+' or 'e' or 'E'))
                    {
                        parsed = 0;
                        return false;
                    }
                }

                return double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out parsed);
        }
    }

    private static PrometheusSample? ParseLine(string line)
    {
        var at = 0;
        while (at < line.Length && (char.IsAsciiLetterOrDigit(line[at]) || line[at] is '_' or ':'))
        {
            at++;
        }

        if (at == 0 || char.IsAsciiDigit(line[0]))
        {
            return null;
        }

        var name = line[..at];
        var labels = new List<KeyValuePair<string, string>>();
        if (at < line.Length && line[at] == '{' && !TryParseLabels(line, ref at, labels))
        {
            return null;
        }

        // value [timestamp] [# exemplar]
        var rest = line.AsSpan(at);
        if (rest.Length == 0 || rest[0] is not (' ' or '\t'))
        {
            return null;
        }

        while (rest.Length > 0 && rest[0] is ' ' or '\t')
        {
            rest = rest[1..];
        }

        var end = rest.IndexOfAny(' ', '\t');
        var value = end < 0 ? rest : rest[..end];
        return TryParseValue(value, out var parsed) ? new PrometheusSample(name, labels, parsed) : null;
    }

    /// <summary>From the <c>{</c> at <paramref name="at"/> to past its <c>}</c>: <c>name="value"</c> pairs, commas between (one may trail).</summary>
    private static bool TryParseLabels(string line, ref int at, List<KeyValuePair<string, string>> labels)
    {
        at++;
        var value = new StringBuilder();
        while (true)
        {
            while (at < line.Length && line[at] is ' ' or '\t')
            {
                at++;
            }

            if (at < line.Length && line[at] == '}')
            {
                at++;
                return true;
            }

            var start = at;
            while (at < line.Length && (char.IsAsciiLetterOrDigit(line[at]) || line[at] == '_'))
            {
                at++;
            }

            if (at == start || at + 1 >= line.Length || line[at] != '=' || line[at + 1] != '"')
            {
                return false;
            }

            var key = line[start..at];
            at += 2;
            value.Clear();
            while (true)
            {
                if (at >= line.Length)
                {
                    return false;
                }

                var c = line[at++];
                if (c == '"')
                {
                    break;
                }

                if (c == '\\')
                {
                    if (at >= line.Length)
                    {
                        return false;
                    }

                    c = line[at++] switch
                    {
                        'n' => '\n',
                        var escaped => escaped, // \\ and \" stand for themselves
                    };
                }

                value.Append(c);
            }

            labels.Add(new(key, value.ToString()));
            if (at < line.Length && line[at] == ',')
            {
                at++;
            }
            else if (at >= line.Length || line[at] != '}')
            {
                return false;
            }
        }
    }
}
