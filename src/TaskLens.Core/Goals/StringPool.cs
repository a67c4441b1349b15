using System.Collections.Concurrent;
using System.Text;
using TaskLens.Core.Telemetry;

namespace TaskLens.Core.Goals;

/// <summary>
/// One shared copy of each repeated string the rollup holds (span names, services, models, error messages). The
/// decoder gives every span its own string instances; held for the quiet period they would survive into the older
/// GC generations by the hundred thousand and make every collection expensive. Bounded: past
/// <see cref="MaxEntries"/> distinct strings, new ones are kept as they are.
/// </summary>
internal sealed class StringPool
{
    public const int MaxEntries = 100_000;

    /// <summary>Direct-mapped: a miss replaces the entry, so unique text costs a hash and a compare, never a search.</summary>
    private const int Utf8Entries = 4096;

    private readonly ConcurrentDictionary<string, string> _strings = new(StringComparer.Ordinal);

    /// <summary>
    /// The pooled strings of recent ASCII text, by a hash of its bytes: the drainer hands span names, services and
    /// models over as UTF-8, and most repeat, so most take no string at all. Racing threads may replace an entry; any
    /// entry is a pooled string of its text.
    /// </summary>
    private readonly string?[] _utf8 = new string?[Utf8Entries];

    public string Intern(string value)
    {
        if (_strings.TryGetValue(value, out var pooled))
        {
            return pooled;
        }

        return _strings.Count < MaxEntries ? _strings.GetOrAdd(value, value) : value;
    }

    /// <summary>The pooled string of valid UTF-8 <paramref name="utf8"/>.</summary>
    public string Intern(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            return string.Empty;
        }

        ref var entry = ref _utf8[Utf8Hash.Of(utf8) & (Utf8Entries - 1)];
        var cached = Volatile.Read(ref entry);

        // Only ASCII is cached: then the string's length is the byte count and the compare is byte against char.
        if (cached is not null && cached.Length == utf8.Length && Ascii.Equals(utf8, cached))
        {
            return cached;
        }

        var pooled = Intern(Encoding.UTF8.GetString(utf8));
        if (pooled.Length == utf8.Length)
        {
            Volatile.Write(ref entry, pooled);
        }

        return pooled;
    }

    public string? InternOrNull(string? value) => value is null ? null : Intern(value);
}
