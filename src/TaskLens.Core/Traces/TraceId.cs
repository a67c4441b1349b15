using System.Globalization;

namespace TaskLens.Core.Traces;

/// <summary>A 16-byte W3C trace id, held big-endian as two integers; its text form is 32 lowercase hex digits.</summary>
public readonly record struct TraceId(ulong High, ulong Low)
{
    public static bool TryParse(string? text, out TraceId traceId)
    {
        traceId = default;
        if (text is null || text.Length != 32
            || !ulong.TryParse(text.AsSpan(0, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var high)
            || !ulong.TryParse(text.AsSpan(16, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var low))
        {
            return false;
        }

        traceId = new TraceId(high, low);
        return true;
    }

    public override string ToString() =>
        High.ToString("x16", CultureInfo.InvariantCulture) + Low.ToString("x16", CultureInfo.InvariantCulture);
}
