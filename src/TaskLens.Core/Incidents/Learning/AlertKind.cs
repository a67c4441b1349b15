namespace TaskLens.Core.Incidents.Learning;

/// <summary>
/// What makes two alerts "the same kind" across occurrences, for learning from triage: the source, the alert's name
/// (its <c>alertname</c>, else the words of its title without numbers) and the workload it is about — not its
/// fingerprint, which changes with every pod.
/// </summary>
public static class AlertKind
{
    private const int MaxWords = 12;

    public static string Of(CorrelationInput alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var name = alert.Labels.TryGetValue("alertname", out var alertName) && !string.IsNullOrWhiteSpace(alertName)
            ? alertName.Trim()
            : string.Join(' ', TextVectors.Words(alert.Title).Take(MaxWords));
        return $"{alert.Source}|{name}|{alert.Identity ?? alert.Service ?? ""}";
    }

    public static (string, string) Pair(string a, string b) => string.CompareOrdinal(a, b) <= 0 ? (a, b) : (b, a);
}
