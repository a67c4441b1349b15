using System.Globalization;
using System.Text.Json;
using TaskLens.Core.Telemetry;
using TaskLens.Core.Traces;
using TaskLens.Storage.ClickHouse;

namespace TaskLens.Storage.Telemetry;

/// <summary>
/// The column groups the logs and metric_points tables share: attribute arrays, the resource and scope columns,
/// and reading them back.
/// </summary>
internal static class TelemetryColumns
{
    public static readonly IReadOnlyList<string> ResourceAndScope =
    [
        "resource_attr_keys", "resource_attr_types", "resource_attr_values", "resource_dropped_attributes_count",
        "resource_schema_url",
        "scope_name", "scope_version", "scope_attr_keys", "scope_attr_types", "scope_attr_values",
        "scope_dropped_attributes_count", "scope_schema_url",
    ];

    public const string ResourceAndScopeSelect = """
        resource_attr_keys, resource_attr_types, resource_attr_values, resource_dropped_attributes_count,
        resource_schema_url, scope_name, scope_version, scope_attr_keys, scope_attr_types, scope_attr_values,
        scope_dropped_attributes_count, scope_schema_url
        """;

    private const ulong NanosPerSecond = 1_000_000_000;

    /// <summary>Seconds for a DateTime column; clamped because DateTime is a UInt32 on every server version.</summary>
    public static uint ToUnixSeconds(ulong unixNanos) => (uint)Math.Min(unixNanos / NanosPerSecond, uint.MaxValue);

    public static void WriteAttributes(RowBinaryWriter writer, IReadOnlyList<AttributeRecord> attributes)
    {
        writer.WriteArrayLength(attributes.Count);
        foreach (var attribute in attributes)
        {
            writer.WriteString(attribute.Key);
        }

        writer.WriteArrayLength(attributes.Count);
        foreach (var attribute in attributes)
        {
            writer.WriteUInt8((byte)attribute.Type);
        }

        writer.WriteArrayLength(attributes.Count);
        foreach (var attribute in attributes)
        {
            writer.WriteString(attribute.Value);
        }
    }

    public static void WriteResourceAndScope(RowBinaryWriter writer, TelemetryResource resource, TelemetryScope scope)
    {
        WriteAttributes(writer, resource.Attributes);
        writer.WriteUInt32(resource.DroppedAttributesCount);
        writer.WriteString(resource.SchemaUrl);
        writer.WriteString(scope.Name);
        writer.WriteString(scope.Version);
        WriteAttributes(writer, scope.Attributes);
        writer.WriteUInt32(scope.DroppedAttributesCount);
        writer.WriteString(scope.SchemaUrl);
    }

    /// <summary>A 16-byte trace id from its two big-endian halves (all zero when absent).</summary>
    public static void WriteTraceId(RowBinaryWriter writer, ulong high, ulong low)
    {
        writer.WriteUInt64BigEndian(high);
        writer.WriteUInt64BigEndian(low);
    }

    public static void WriteNullable(RowBinaryWriter writer, double? value)
    {
        writer.WriteUInt8(value.HasValue ? (byte)0 : (byte)1);
        if (value.HasValue)
        {
            writer.WriteFloat64(value.Value);
        }
    }

    /// <summary>A hex id as selected with lower(hex(...)); the all-zero id (absent) becomes empty.</summary>
    public static string IdOrEmpty(string hex) => hex.AsSpan().ContainsAnyExcept('0') ? hex : string.Empty;

    public static List<AttributeRecord> ReadAttributes(ClickHouseRow row, string prefix) =>
        Zip(row.GetArray(prefix + "keys"), row.GetArray(prefix + "types"), row.GetArray(prefix + "values"));

    public static List<AttributeRecord> Zip(JsonElement keys, JsonElement types, JsonElement values)
    {
        var result = new List<AttributeRecord>(keys.GetArrayLength());
        for (var i = 0; i < keys.GetArrayLength(); i++)
        {
            result.Add(new AttributeRecord(
                keys[i].GetString() ?? string.Empty,
                (AttributeValueType)ReadNumber(types[i]),
                values[i].GetString() ?? string.Empty));
        }

        return result;
    }

    public static StoredResource ReadResource(ClickHouseRow row) =>
        new(ReadAttributes(row, "resource_attr_"), row.GetUInt32("resource_dropped_attributes_count"), row.GetString("resource_schema_url"));

    public static StoredScope ReadScope(ClickHouseRow row) =>
        new(row.GetString("scope_name"), row.GetString("scope_version"), ReadAttributes(row, "scope_attr_"), row.GetUInt32("scope_dropped_attributes_count"), row.GetString("scope_schema_url"));

    /// <summary>ClickHouse writes 64-bit integers in JSON as strings and smaller ones as numbers.</summary>
    public static ulong ReadNumber(JsonElement element) =>
        element.ValueKind == JsonValueKind.String
            ? ulong.Parse(element.GetString()!, CultureInfo.InvariantCulture)
            : element.GetUInt64();

    /// <summary>A Float64 selected with toString (or as a number): inf, -inf and nan by ClickHouse's names.</summary>
    public static double ReadDouble(JsonElement element) =>
        element.ValueKind == JsonValueKind.Number ? element.GetDouble()
        : element.GetString() switch
        {
            "inf" or "+inf" => double.PositiveInfinity,
            "-inf" => double.NegativeInfinity,
            "nan" or "-nan" => double.NaN,
            var text => double.Parse(text!, CultureInfo.InvariantCulture),
        };

    public static double? ReadNullableDouble(JsonElement element) =>
        element.ValueKind == JsonValueKind.Null ? null : ReadDouble(element);
}
