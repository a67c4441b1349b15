using System.Text.Json;

namespace TaskLens.Core.Goals;

/// <summary>
/// Model prices by name. A model is found by its exact name (case-insensitive, any <c>provider/</c> prefix dropped),
/// else by the longest listed name it starts with followed by <c>-</c> (so a dated release such as
/// <c>gpt-4o-2024-08-06</c> takes <c>gpt-4o</c>'s price). An unknown model has no price: its calls are "unpriced".
/// </summary>
public sealed class ModelPriceTable
{
    private readonly Dictionary<string, ModelPrice> _prices;

    public ModelPriceTable(IReadOnlyDictionary<string, ModelPrice> prices)
    {
        _prices = new Dictionary<string, ModelPrice>(prices, StringComparer.OrdinalIgnoreCase);
    }

    public static ModelPriceTable Empty { get; } = new(new Dictionary<string, ModelPrice>());

    public int Count => _prices.Count;

    /// <summary>
    /// Reads <c>{"models": {"gpt-4o": {"input": 2.5, "output": 10, "cached": 1.25}, ...}}</c>; a missing
    /// <c>cached</c> price is the input price. Throws <see cref="FormatException"/> naming the first bad entry.
    /// </summary>
    public static ModelPriceTable Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        if (!document.RootElement.TryGetProperty("models", out var models) || models.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("The price table needs a \"models\" object.");
        }

        var prices = new Dictionary<string, ModelPrice>(StringComparer.OrdinalIgnoreCase);
        foreach (var model in models.EnumerateObject())
        {
            var input = Price(model, "input");
            var output = Price(model, "output");
            var cached = model.Value.TryGetProperty("cached", out _) ? Price(model, "cached") : input;
            prices[model.Name] = new ModelPrice(input, output, cached);
        }

        return new ModelPriceTable(prices);
    }

    public bool TryFind(string? model, out ModelPrice price)
    {
        price = default;
        if (string.IsNullOrEmpty(model))
        {
            return false;
        }

        var name = model[(model.LastIndexOf('/') + 1)..];
        if (_prices.TryGetValue(name, out price))
        {
            return true;
        }

        var best = -1;
        foreach (var (listed, listedPrice) in _prices)
        {
            if (listed.Length > best && name.Length > listed.Length && name[listed.Length] == '-'
                && name.StartsWith(listed, StringComparison.OrdinalIgnoreCase))
            {
                best = listed.Length;
                price = listedPrice;
            }
        }

        return best >= 0;
    }

    private static double Price(JsonProperty model, string name) =>
        model.Value.ValueKind == JsonValueKind.Object && model.Value.TryGetProperty(name, out var value)
            && value.ValueKind == JsonValueKind.Number && value.GetDouble() is >= 0 and var price && double.IsFinite(price)
            ? price
            : throw new FormatException($"Model \"{model.Name}\": \"{name}\" must be a non-negative number (US dollars per million tokens).");
}
