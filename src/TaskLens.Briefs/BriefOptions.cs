namespace TaskLens.Briefs;

/// <summary>
/// Briefs' settings (<c>TaskLens:Briefs</c>): debounce, limits, runbooks. The model has its own section,
/// <see cref="LlmOptions"/> (<c>TaskLens:Llm</c>), as the issue names its keys. Both are validated at start-up.
/// </summary>
public sealed class BriefOptions
{
    public const string SectionName = "TaskLens:Briefs";

    /// <summary>How long after an incident change its brief is written, so a flood of joins makes one brief.</summary>
    public TimeSpan Debounce { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The least time between two regenerations a person asks for (<c>POST …/brief/regenerate</c>) of one incident.</summary>
    public TimeSpan RegenerateMinInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Clusters the error template miner holds at most per brief (its memory bound).</summary>
    public int MaxTemplates { get; set; } = 512;

    /// <summary>Error templates a brief shows.</summary>
    public int TemplatesShown { get; set; } = 10;

    /// <summary>Runbook links by goal name and by service name: <c>TaskLens:Briefs:Runbooks:Services:checkout=https://…</c>.</summary>
    public RunbookOptions Runbooks { get; set; } = new();

    public IEnumerable<string> Validate()
    {
        if (Debounce < TimeSpan.Zero || Debounce > TimeSpan.FromMinutes(10))
        {
            yield return $"{SectionName}:Debounce must be between 0 and 00:10:00.";
        }

        if (RegenerateMinInterval < TimeSpan.Zero)
        {
            yield return $"{SectionName}:RegenerateMinInterval must not be negative.";
        }

        if (MaxTemplates is < 16 or > 100_000)
        {
            yield return $"{SectionName}:MaxTemplates must be between 16 and 100000.";
        }

        if (TemplatesShown is < 1 or > 100)
        {
            yield return $"{SectionName}:TemplatesShown must be between 1 and 100.";
        }

        foreach (var (name, url) in Runbooks.Goals.Concat(Runbooks.Services))
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                yield return $"{SectionName}:Runbooks '{name}' must be an http(s) URL.";
            }
        }
    }
}
