using System.Globalization;
using System.Text.Json;
using TaskLens.Core.Telemetry;

namespace TaskLens.Ingest.Otlp;

/// <summary>Field readers of <see cref="OtlpJsonTraceDecoder"/>: each returns null or why the field is invalid.</summary>
public static partial class OtlpJsonTraceDecoder
{
    private static string? Fail(SpanBatch batch, SpanBatchMark mark, string error)
    {
        batch.Truncate(mark);
        return error;
    }

    private static string? First(ReadOnlySpan<string?> errors)
    {
        foreach (var error in errors)
        {
            if (error is not null)
            {
                return error;
            }
        }

        return null;
    }

    private static string? Prefix(string prefix, string? error) => error is null ? null : prefix + error;

    /// <summary>Looks a field up by its lowerCamelCase name, then by its proto name.</summary>
    internal static bool Property(JsonElement obj, string camel, string snake, out JsonElement value) =>
        obj.TryGetProperty(camel, out value) || (snake != camel && obj.TryGetProperty(snake, out value));

    private static JsonElement[] Array(JsonElement obj, string camel, string snake, out string? error)
    {
        error = null;
        if (!Property(obj, camel, snake, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            error = $"{camel} must be an array";
            return [];
        }

        var items = new JsonElement[value.GetArrayLength()];
        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            items[i++] = item;
        }

        return items;
    }

    private static string? String(JsonElement obj, string camel, string snake, out string value)
    {
        value = string.Empty;
        if (!Property(obj, camel, snake, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.String)
        {
            return $"{camel} must be a string";
        }

        value = element.GetString()!;
        return null;
    }

    /// <summary>A 64-bit unsigned integer written as a JSON string (the spec's form) or a JSON number.</summary>
    private static string? UInt64(JsonElement obj, string camel, string snake, out ulong value)
    {
        value = 0;
        if (!Property(obj, camel, snake, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var ok = element.ValueKind switch
        {
            JsonValueKind.String => ulong.TryParse(element.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out value),
            JsonValueKind.Number => element.TryGetUInt64(out value),
            _ => false,
        };
        return ok ? null : $"{camel} must be an unsigned 64-bit integer (string or number)";
    }

    private static string? UInt32(JsonElement obj, string camel, string snake, out uint value)
    {
        var error = UInt64(obj, camel, snake, out var wide);
        value = (uint)Math.Min(wide, uint.MaxValue);
        return error is null && wide > uint.MaxValue ? $"{camel} must fit 32 bits" : error;
    }

    /// <summary>An enum as its integer (the spec's form) or as its proto name, e.g. SPAN_KIND_SERVER.</summary>
    private static string? Enum(JsonElement obj, string camel, string snake, string namePrefix, string[] names, out int value)
    {
        value = 0;
        if (!Property(obj, camel, snake, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (element.ValueKind == JsonValueKind.Number && element.TryGetInt32(out value))
        {
            value = value is >= 0 and <= 127 ? value : 0;
            return null;
        }

        if (element.ValueKind == JsonValueKind.String)
        {
            var text = element.GetString()!;
            for (var i = 0; i < names.Length; i++)
            {
                if (text == namePrefix + names[i])
                {
                    value = i;
                    return null;
                }
            }
        }

        return $"{camel} must be an integer or a {namePrefix}* name";
    }

    /// <summary>Null when valid; an empty or non-hex id is rejected like a wrong-sized one.</summary>
    private static string? TraceId(string hex, string what, out ulong high, out ulong low)
    {
        high = low = 0;
        if (hex.Length != 32
            || !ulong.TryParse(hex.AsSpan(0, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out high)
            || !ulong.TryParse(hex.AsSpan(16, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out low))
        {
            high = low = 0;
            return $"{what} must be 32 hex digits";
        }

        return high == 0 && low == 0 ? $"{what} is all zero" : null;
    }

    private static string? SpanId(string hex, string what, bool allowEmpty, out ulong id)
    {
        id = 0;
        if (hex.Length == 0 && allowEmpty)
        {
            return null;
        }

        if (hex.Length != 16 || !ulong.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out id))
        {
            id = 0;
            return $"{what} must be 16 hex digits";
        }

        return id == 0 && !allowEmpty ? $"{what} is all zero" : null;
    }

    private struct State
    {
        public int Accepted;
        public int Rejected;
        public string? FirstRejection;
    }
}
