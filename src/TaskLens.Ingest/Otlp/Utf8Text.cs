using System.Text;
using TaskLens.Core.Telemetry;

namespace TaskLens.Ingest.Otlp;

/// <summary>
/// Strings from UTF-8, with the short ones that repeat from span to span — attribute keys, span and scope names, enum
/// like values ("chat", "GET", "production") — taken from a small per-thread table instead of made again. In
/// SDK-shaped exports most of a span's fifteen keys and half its values repeat, and a new string each time was the
/// larger part of the drainer's decode (docs/ingest.md, "Where the CPU goes").
/// </summary>
internal static class Utf8Text
{
    /// <summary>Longer text is rarely repeated (ids, URLs, messages) and is decoded as is.</summary>
    private const int MaxCachedBytes = 40;

    /// <summary>Direct-mapped: a miss replaces the entry, so unique values cost a hash and a compare, never a search.</summary>
    private const int Entries = 4096;

    [ThreadStatic]
    private static string?[]? t_table;

    public static string Decode(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            return string.Empty;
        }

        if (utf8.Length > MaxCachedBytes)
        {
            return Encoding.UTF8.GetString(utf8);
        }

        var table = t_table ??= new string?[Entries];
        ref var entry = ref table[Utf8Hash.Of(utf8) & (Entries - 1)];

        // Only ASCII is cached: then the string's length is the byte count and the compare is byte against char.
        if (entry is { } cached && cached.Length == utf8.Length && Ascii.Equals(utf8, cached))
        {
            return cached;
        }

        var text = Encoding.UTF8.GetString(utf8);
        if (text.Length == utf8.Length)
        {
            entry = text;
        }

        return text;
    }
}
