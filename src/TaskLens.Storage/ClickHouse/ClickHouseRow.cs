using System.Globalization;
using System.Text.Json;

namespace TaskLens.Storage.ClickHouse;

/// <summary>
/// One row of a <c>JSONEachRow</c> answer. ClickHouse writes 64-bit integers as JSON strings (so JavaScript
/// readers keep precision) and smaller numbers as JSON numbers; the getters accept both. A row is valid only
/// inside the mapper it is passed to: the result document is released when the query returns.
/// </summary>
public readonly struct ClickHouseRow(JsonElement row)
{
    public string GetString(string name) => row.GetProperty(name).GetString() ?? string.Empty;

    public ulong GetUInt64(string name) => ToUInt64(row.GetProperty(name));

    public long GetInt64(string name)
    {
        var value = row.GetProperty(name);
        return value.ValueKind == JsonValueKind.String
            ? long.Parse(value.GetString()!, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)
            : value.GetInt64();
    }

    public uint GetUInt32(string name) => checked((uint)GetUInt64(name));

    public int GetInt32(string name) => checked((int)GetInt64(name));

    public double GetDouble(string name)
    {
        var value = row.GetProperty(name);
        return value.ValueKind switch
        {
            JsonValueKind.Number => value.GetDouble(),
            JsonValueKind.String => ParseDouble(value.GetString()!),
            JsonValueKind.Null => double.NaN,
            _ => throw new FormatException($"column {name} is not a number"),
        };
    }

    /// <summary>An array column (possibly nested) as JSON, for the caller to walk.</summary>
    public JsonElement GetArray(string name) => row.GetProperty(name);

    public string[] GetStringArray(string name)
    {
        var array = row.GetProperty(name);
        var result = new string[array.GetArrayLength()];
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            result[i++] = item.GetString() ?? string.Empty;
        }

        return result;
    }

    public ulong[] GetUInt64Array(string name)
    {
        var array = row.GetProperty(name);
        var result = new ulong[array.GetArrayLength()];
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            result[i++] = ToUInt64(item);
        }

        return result;
    }

    /// <summary>An Array(Float64) column, such as the result of <c>quantiles</c>.</summary>
    public double[] GetDoubleArray(string name) =>
        row.GetProperty(name).EnumerateArray()
            .Select(v => v.ValueKind == JsonValueKind.Number ? v.GetDouble() : ParseDouble(v.GetString()!))
            .ToArray();

    /// <summary>The column's raw JSON text.</summary>
    public string GetRaw(string name) => row.GetProperty(name).GetRawText();

    public static ulong ToUInt64(JsonElement value) =>
        value.ValueKind == JsonValueKind.String
            ? ulong.Parse(value.GetString()!, NumberStyles.None, CultureInfo.InvariantCulture)
            : value.GetUInt64();

    private static double ParseDouble(string text) => text switch
    {
        "nan" or "-nan" => double.NaN,
        "inf" or "+inf" => double.PositiveInfinity,
        "-inf" => double.NegativeInfinity,
        _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
    };
}
