using System.Globalization;
using System.Text;
using System.Text.Json;
using TaskLens.Core.Incidents;

namespace TaskLens.Benchmarks.Incidents;

/// <summary>
/// Alert grouping over the labelled alert-storm corpus (<c>tests/data/alert-storms/</c>): every storm is fed to the
/// correlator in time order; reported per storm and overall are compression (1 − incidents ÷ alerts) and the pairwise
/// precision and recall of grouping against the ground truth (pairs of alerts put together, and truly together).
/// </summary>
internal static class GroupingBenchmark
{
    public static async Task<int> RunAsync(string corpusDirectory, string outputDirectory)
    {
        var rows = new List<(string Storm, GroupingScore Score)>();
        foreach (var storm in AlertStormCorpus.Load(corpusDirectory))
        {
            var edges = storm.Topology.Select(e => (e[0], e[1])).ToHashSet();
            var correlator = new AlertCorrelator(linked: (a, b) => edges.Contains((a, b)));
            var predicted = storm.Alerts.Select(a => correlator.Add(new CorrelationInput(a.Id, a.Source, a.Time, a.Title, a.Labels)).IncidentId).ToList();
            rows.Add((storm.Name, GroupingScore.Of(storm.Alerts.Select(a => a.Incident).ToList(), predicted)));
        }

        rows.Add(("overall", rows.Select(r => r.Score).Aggregate((a, b) => a + b)));
        var markdown = new StringBuilder();
        markdown.AppendLine("| storm | alerts | true incidents | incidents | compression | pairwise precision | pairwise recall |");
        markdown.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var (storm, r) in rows)
        {
            markdown.AppendLine(CultureInfo.InvariantCulture,
                $"| {storm} | {r.Alerts:N0} | {r.TrueGroups} | {r.Groups} | {r.Compression:P1} | {r.Precision:P1} | {r.Recall:P1} |");
        }

        Directory.CreateDirectory(outputDirectory);
        await File.WriteAllTextAsync(Path.Combine(outputDirectory, "grouping.json"), JsonSerializer.Serialize(rows.Select(r => new { storm = r.Storm, r.Score, r.Score.Compression, r.Score.Precision, r.Score.Recall })));
        await File.WriteAllTextAsync(Path.Combine(outputDirectory, "grouping.md"), markdown.ToString());
        Console.WriteLine(markdown);
        return 0;
    }
}
