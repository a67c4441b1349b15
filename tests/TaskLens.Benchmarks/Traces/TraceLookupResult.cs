using System.Text.Json;

namespace TaskLens.Benchmarks.Traces;

/// <summary>What the trace lookup run measured; written as traces.json so the load report can list every target.</summary>
internal sealed record TraceLookupResult(ulong SpansStored, int Samples, double P50Ms, double P95Ms, double MaxMs, string ServerVersion)
{
    public const double TargetP95Ms = 50;
    private const string FileName = "traces.json";

    public bool Met => P95Ms <= TargetP95Ms;

    public static TraceLookupResult? Read(string directory)
    {
        var path = Path.Combine(directory, FileName);
        return File.Exists(path) ? JsonSerializer.Deserialize<TraceLookupResult>(File.ReadAllText(path)) : null;
    }

    public Task WriteAsync(string directory) =>
        File.WriteAllTextAsync(Path.Combine(directory, FileName), JsonSerializer.Serialize(this));
}
