using TaskLens.Core.Goals;

namespace TaskLens.UnitTests.Goals;

public sealed class ModelPriceTableTests
{
    private static readonly ModelPriceTable Table = ModelPriceTable.Parse(
        """{"models": {"gpt-4o": {"input": 2.5, "output": 10, "cached": 1.25}, "gpt-4o-mini": {"input": 0.15, "output": 0.6}}}""");

    [Theory]
    [InlineData("gpt-4o", 2.5)]
    [InlineData("GPT-4o", 2.5)]
    [InlineData("openai/gpt-4o", 2.5)]
    [InlineData("gpt-4o-2024-08-06", 2.5)]
    [InlineData("gpt-4o-mini-2024-07-18", 0.15)]
    public void TryFind_ExactPrefixedOrDated_FindsTheListedModel(string model, double input)
    {
        Assert.True(Table.TryFind(model, out var price));
        Assert.Equal(input, price.Input);
    }

    [Theory]
    [InlineData("gpt-4")]
    [InlineData("gpt-4omni")]
    [InlineData("llama-3.1-70b")]
    [InlineData("")]
    [InlineData(null)]
    public void TryFind_UnknownModel_HasNoPrice(string? model) => Assert.False(Table.TryFind(model, out _));

    [Fact]
    public void Parse_MissingCachedPrice_IsTheInputPrice()
    {
        Assert.True(Table.TryFind("gpt-4o-mini", out var price));
        Assert.Equal(0.15, price.Cached);
        Assert.Equal(((900 * 0.15) + (100 * 0.6) + (100 * 0.15)) / 1e6, price.CostOf(1000, 100, 100), 12);
    }

    [Theory]
    [InlineData("""{"prices": {}}""", "\"models\" object")]
    [InlineData("""{"models": {"m": {"input": -1, "output": 1}}}""", "Model \"m\": \"input\"")]
    [InlineData("""{"models": {"m": {"input": 1}}}""", "Model \"m\": \"output\"")]
    [InlineData("""{"models": {"m": {"input": 1, "output": "2"}}}""", "Model \"m\": \"output\"")]
    public void Parse_BadTable_SaysWhichEntry(string json, string expected)
    {
        var e = Assert.Throws<FormatException>(() => ModelPriceTable.Parse(json));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }
}
