using System.Globalization;
using System.Text;
using TaskLens.Detection;
using TaskLens.Detection.Scoring;

namespace TaskLens.Benchmarks.Detection;

/// <summary>One series' scores: by the README's rule, and by NAB's own with its probationary period (<see cref="EventScoring.NabProbation"/>).</summary>
internal sealed record NabRow(string Group, string Detector, EventScore Score, EventScore ProbationScore, int Points, double Microseconds);

internal sealed record NabGridLine(string Settings, double Precision, double Recall, double F1);

internal sealed record NabReportLine(
    string Detector, string Part, string Group, int Windows, int Events, int Detected, int FalsePositives, double Precision, double Recall, double F1, double MicrosecondsPerPoint,
    int ProbationDetected, int ProbationFalsePositives, double ProbationF1)
{
    public static List<NabReportLine> From(IReadOnlyList<NabRow> rows, IReadOnlyList<string> choosing, IReadOnlyList<string> reported)
    {
        var lines = new List<NabReportLine>();
        foreach (var (part, groups) in new[] { ("chosen on", choosing), ("reported", reported) })
        {
            foreach (var detector in rows.Select(r => r.Detector).Distinct())
            {
                foreach (var group in groups)
                {
                    lines.Add(Line(detector, part, group, rows.Where(r => r.Detector == detector && r.Group == group).ToList()));
                }

                if (groups.Count > 1)
                {
                    lines.Add(Line(detector, part, "all", rows.Where(r => r.Detector == detector && groups.Contains(r.Group)).ToList()));
                }
            }
        }

        return lines;
    }

    private static NabReportLine Line(string detector, string part, string group, List<NabRow> rows)
    {
        var score = rows.Aggregate(default(EventScore), (sum, r) => sum + r.Score);
        var probation = rows.Aggregate(default(EventScore), (sum, r) => sum + r.ProbationScore);
        return new NabReportLine(detector, part, group, score.Windows, score.Events, score.DetectedWindows, score.FalsePositives,
            score.Precision, score.Recall, score.F1, rows.Sum(r => r.Microseconds) / Math.Max(1, rows.Sum(r => r.Points)),
            probation.DetectedWindows, probation.FalsePositives, probation.F1);
    }
}

/// <summary>The NAB report: the split, the grid's best settings on the choosing part, every detector on both parts, targets.</summary>
internal sealed record NabReport(
    IReadOnlyList<string> ChoosingGroups, IReadOnlyList<string> ReportedGroups, CombinedDetector.Settings Chosen, bool ChosenIsProduction,
    IReadOnlyList<NabGridLine> Grid, IReadOnlyList<NabReportLine> Lines)
{
    private const string Baseline = "rolling-3sigma";
    private const string Production = "tasklens (production)";

    /// <summary>The targets on the reported part, each with whether production meets it.</summary>
    public IReadOnlyList<(string Target, bool Met)> Targets()
    {
        var reported = Lines.Where(l => l.Part == "reported").ToList();
        var production = reported.Where(l => l.Detector == Production).ToList();
        var overallF1 = Overall(production).F1;
        var probationF1 = Overall(production, probation: true).F1;
        var targets = new List<(string, bool)>
        {
            (string.Create(CultureInfo.InvariantCulture, $"overall F1 ≥ 0.5 on the reported part (is {overallF1:0.000})"), overallF1 >= 0.5),
            (string.Create(CultureInfo.InvariantCulture, $"the same by NAB's probationary rule (is {probationF1:0.000})"), probationF1 >= 0.5),
        };
        // Every group with labelled windows, of both parts (a group without windows has no F1: its false events show).
        foreach (var line in Lines.Where(l => l.Detector == Production && l.Group != "all" && l.Windows > 0))
        {
            var baseline = Lines.First(l => l.Detector == Baseline && l.Group == line.Group);
            targets.Add((string.Create(CultureInfo.InvariantCulture, $"{line.Group} ({line.Part}): F1 above the 3σ baseline ({line.F1:0.000} vs {baseline.F1:0.000}; by NAB's probationary rule {line.ProbationF1:0.000} vs {baseline.ProbationF1:0.000})"),
                line.F1 > baseline.F1 && line.ProbationF1 > baseline.ProbationF1));
        }

        var cost = Lines.Where(l => l.Detector == Production && l.Group != "all").ToList();
        var worst = cost.Max(l => l.MicrosecondsPerPoint);
        targets.Add((string.Create(CultureInfo.InvariantCulture, $"≤ 2 µs per point in every group (worst {worst:0.000})"), worst <= 2));
        return targets;
    }

    private static (double F1, int Detected) Overall(List<NabReportLine> lines, bool probation = false)
    {
        var detected = lines.Sum(l => probation ? l.ProbationDetected : l.Detected);
        var falsePositives = lines.Sum(l => probation ? l.ProbationFalsePositives : l.FalsePositives);
        var windows = lines.Sum(l => l.Windows);
        var score = new EventScore(detected, falsePositives, windows, lines.Sum(l => l.Events));
        return (score.F1, detected);
    }

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Split: settings chosen on **{string.Join(" + ", ChoosingGroups)}**; reported on **{string.Join(" + ", ReportedGroups)}** (not looked at to choose).");
        text.AppendLine();
        text.AppendLine("Grid on the choosing part (best first; the report part is not run for these):");
        text.AppendLine();
        text.AppendLine("| settings | precision | recall | F1 |");
        text.AppendLine("| --- | ---: | ---: | ---: |");
        foreach (var g in Grid)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {g.Settings} | {g.Precision:0.000} | {g.Recall:0.000} | {g.F1:0.000} |");
        }

        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Production's warm-up is {new CombinedDetector.Settings().MinHistory} points (5 hours at one-minute steps); a longer one is shown by the grid but not taken: it is counted in points, and NAB's 5-minute steps make it days.");
        text.AppendLine(ChosenIsProduction
            ? "Production's default settings are the grid's best at production's warm-up."
            : "Production's default settings are NOT the grid's best at production's warm-up: both are shown.");
        text.AppendLine();
        text.AppendLine("The last three columns score the same alerts by NAB's own probationary rule: alerts in each file's first 15% (at most 750 points) are dropped, as NAB's scorer drops them; the windows are the same.");
        text.AppendLine();
        text.AppendLine("| detector | part | group | windows | alert events | detected | false positives | precision | recall | F1 | µs per point | detected (NAB probation) | false (NAB probation) | F1 (NAB probation) |");
        text.AppendLine("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var l in Lines)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {l.Detector} | {l.Part} | {l.Group} | {l.Windows} | {l.Events:N0} | {l.Detected} | {l.FalsePositives:N0} | {l.Precision:0.000} | {l.Recall:0.000} | {l.F1:0.000} | {l.MicrosecondsPerPoint:0.000} | {l.ProbationDetected} | {l.ProbationFalsePositives:N0} | {l.ProbationF1:0.000} |");
        }

        text.AppendLine();
        text.AppendLine("Targets (production: overall F1 on the reported part; the baseline in every group):");
        text.AppendLine();
        foreach (var (target, met) in Targets())
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"- {(met ? "met" : "**NOT MET**")}: {target}");
        }

        return text.ToString();
    }
}
