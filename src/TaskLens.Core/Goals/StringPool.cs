using System.Collections.Concurrent;

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

    private readonly ConcurrentDictionary<string, string> _strings = new(StringComparer.Ordinal);

    public string Intern(string value)
    {
        if (_strings.TryGetValue(value, out var pooled))
        {
            return pooled;
        }

        return _strings.Count < MaxEntries ? _strings.GetOrAdd(value, value) : value;
    }

    public string? InternOrNull(string? value) => value is null ? null : Intern(value);
}
