namespace TaskLens.Core.Incidents;

/// <summary>
/// Whether an alert tells a symptom — what users of a service feel (errors, latency, failed or slow runs: the "golden
/// signals" a service-level rule watches) — rather than a cause in the thing itself (a pod crashing, a disk filling, a
/// database's connections). Symptoms travel from a callee to its callers, so correlation joins a symptom to trouble in
/// what its workload depends on. Read from the alert's words (title and alert name).
/// </summary>
public static class Symptoms
{
    private static readonly HashSet<string> Errors = new(StringComparer.Ordinal) { "error", "errors", "failures" };

    /// <summary>An error word alone ("Failed: Error: secret not found") names a fault; with a rate it names a symptom.</summary>
    private static readonly string[] Rates = ["rate", "ratio", "budget", "percent", "high"];

    private static readonly HashSet<string> Words = new(StringComparer.Ordinal)
    {
        "latency", "5xx", "4xx", "duration", "completion", "retries", "timeout", "timeouts", "availability", "apdex", "p95", "p99",
        "slo", "burn", "unavailable", "failing",
    };

    /// <param name="text">The alert's title and name.</param>
    public static bool Is(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var error = false;
        foreach (var word in TextVectors.Words(text))
        {
            if (Words.Contains(word))
            {
                return true;
            }

            error |= Errors.Contains(word);
        }

        // The word list drops "rate" and "high" as filler, so they are looked for in the text itself.
        return error && Array.Exists(Rates, r => text.Contains(r, StringComparison.OrdinalIgnoreCase));
    }
}
