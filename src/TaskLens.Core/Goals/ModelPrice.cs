namespace TaskLens.Core.Goals;

/// <summary>A model's price in US dollars per million tokens; cached input tokens are billed at <see cref="Cached"/>.</summary>
public readonly record struct ModelPrice(double Input, double Output, double Cached)
{
    /// <summary>
    /// The cost of one call. <paramref name="cached"/> tokens are part of <paramref name="input"/> (as providers report
    /// them), so they are billed once, at the cached price.
    /// </summary>
    public double CostOf(long input, long output, long cached)
    {
        var cachedTokens = Math.Clamp(cached, 0, Math.Max(input, 0));
        return (((input - cachedTokens) * Input) + (output * Output) + (cachedTokens * Cached)) / 1_000_000d;
    }
}
