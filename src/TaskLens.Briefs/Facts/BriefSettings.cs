namespace TaskLens.Briefs.Facts;

/// <summary>What computing facts needs from configuration: runbooks, the miner's bound and the origin weights.</summary>
internal sealed record BriefSettings
{
    public IReadOnlyDictionary<string, string> GoalRunbooks { get; init; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
    public IReadOnlyDictionary<string, string> ServiceRunbooks { get; init; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
    public int MaxTemplates { get; init; } = 512;
    public int TemplatesShown { get; init; } = 10;
    public OriginWeights Weights { get; init; } = OriginWeights.Default;
}
