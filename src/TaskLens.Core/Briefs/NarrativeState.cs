namespace TaskLens.Core.Briefs;

/// <summary>
/// The model's part of a brief. <see cref="Status"/> is <c>not-configured</c> (no model endpoint: the facts are the
/// brief), <c>pending</c>, <c>accepted</c>, <c>rejected</c> (the text stated something the evidence does not hold; the
/// reason says what), <c>failed</c> (the model could not be reached; the reason says why) or <c>skipped</c> (the
/// hourly budget of model calls for the incident is spent). Tokens and cost add up every call made for it.
/// </summary>
public sealed record NarrativeState
{
    public required string Status { get; init; }
    public string Text { get; init; } = "";
    public string Reason { get; init; } = "";
    public string Model { get; init; } = "";
    public long InputTokens { get; init; }
    public long OutputTokens { get; init; }
    public double? Cost { get; init; }
    public int ModelCalls { get; init; }
    public int FunctionCalls { get; init; }

    /// <summary>The facts hash the narrative was written over (empty when none was written).</summary>
    public string FactsHash { get; init; } = "";
    public DateTimeOffset? GeneratedAt { get; init; }
}
