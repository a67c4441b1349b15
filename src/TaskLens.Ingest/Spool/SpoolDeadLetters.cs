using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TaskLens.Ingest.Spool;

/// <summary>
/// Where the drainer puts acknowledged exports it cannot store, instead of dropping them or blocking every tenant
/// behind them (issue 14): <c>dead-letters/</c> in the spool directory, each export as <c>ID.rec</c> (a one-record
/// segment in the spool's own format, so it can be read back and replayed) and its description as <c>ID.json</c>,
/// written last so a description always has its record. Bounded by <see cref="SpoolOptions.DeadLetterMaxBytes"/>;
/// past it the oldest are deleted, loudly.
/// </summary>
public sealed class SpoolDeadLetters
{
    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    private readonly SpoolOptions _options;
    private readonly ILogger<SpoolDeadLetters> _logger;
    private readonly Lock _gate = new();
    private long _sequence;
    private long _addedSinceStart;

    public SpoolDeadLetters(IOptions<SpoolOptions> options, ILogger<SpoolDeadLetters> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _logger = logger;
        Directory = System.IO.Path.Combine(System.IO.Path.GetFullPath(_options.Path), "dead-letters");
    }

    public string Directory { get; }

    /// <summary>Dead letters added since this process started.</summary>
    public long AddedSinceStart => Interlocked.Read(ref _addedSinceStart);

    /// <summary>The dead letters on disk, newest first, at most <paramref name="limit"/>, optionally of one tenant.</summary>
    public IReadOnlyList<DeadLetter> List(string? tenant, int limit)
    {
        var found = new List<DeadLetter>();
        foreach (var path in Descriptions().OrderDescending(StringComparer.Ordinal))
        {
            if (found.Count >= limit)
            {
                break;
            }

            if (Read(path) is { } letter && (tenant is null || letter.Tenant == tenant))
            {
                found.Add(letter);
            }
        }

        return found;
    }

    /// <summary>The dead letter with this id, or null; ids are checked so none can name a path outside the directory.</summary>
    public DeadLetter? Find(string id) =>
        IsId(id) && File.Exists(System.IO.Path.Combine(Directory, id + ".json")) ? Read(System.IO.Path.Combine(Directory, id + ".json")) : null;

    /// <summary>The path of a dead letter's record (a one-record segment).</summary>
    internal string RecordPath(string id) => IsId(id) ? System.IO.Path.Combine(Directory, id + ".rec") : throw new ArgumentException("Not a dead letter id.", nameof(id));

    /// <summary>Deletes a dead letter (after it was replayed).</summary>
    internal void Remove(string id)
    {
        lock (_gate)
        {
            File.Delete(System.IO.Path.Combine(Directory, id + ".json"));
            File.Delete(RecordPath(id));
        }
    }

    private static bool IsId(string id) => id.Length is > 0 and < 64 && id.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');

    /// <summary>How many dead letters are on disk, and their records' bytes.</summary>
    public (int Count, long Bytes) Totals()
    {
        var count = 0;
        long bytes = 0;
        foreach (var path in Descriptions())
        {
            count++;
            var record = System.IO.Path.ChangeExtension(path, ".rec");
            bytes += File.Exists(record) ? new FileInfo(record).Length : 0;
        }

        return (count, bytes);
    }

    /// <summary>
    /// Keeps a whole spool record (header included) with its description. Throws <see cref="IOException"/> when the
    /// disk refuses: the caller keeps the record in the spool and tries again, so nothing is lost meanwhile.
    /// </summary>
    internal DeadLetter Add(ReadOnlySpan<byte> record, string kind, string signal, string tenant, string service, string error)
    {
        lock (_gate)
        {
            System.IO.Directory.CreateDirectory(Directory);
            var at = DateTimeOffset.UtcNow;
            var id = string.Create(CultureInfo.InvariantCulture, $"{at:yyyyMMdd'T'HHmmssfff}-{Environment.ProcessId}-{++_sequence:D6}");
            var letter = new DeadLetter(id, at, kind, signal, tenant, service, record.Length, error);
            WriteDurably(System.IO.Path.Combine(Directory, id + ".rec"), record);
            WriteDurably(System.IO.Path.Combine(Directory, id + ".json"), JsonSerializer.SerializeToUtf8Bytes(letter, JsonOptions));
            if (_options.Fsync == SpoolFsync.Always)
            {
                DirectorySync.Sync(Directory);
            }

            Interlocked.Increment(ref _addedSinceStart);
            Trim();
            return letter;
        }
    }

    /// <summary>Deletes the oldest dead letters while they hold more than the cap.</summary>
    private void Trim()
    {
        var paths = Descriptions().Order(StringComparer.Ordinal).ToList();
        var sizes = paths.Select(p => (Path: p, Bytes: RecordBytes(p))).ToList();
        var total = sizes.Sum(s => s.Bytes);
        var deleted = 0;
        foreach (var (path, bytes) in sizes)
        {
            if (total <= _options.DeadLetterMaxBytes || deleted == sizes.Count - 1)
            {
                break;
            }

            File.Delete(path);
            File.Delete(System.IO.Path.ChangeExtension(path, ".rec"));
            total -= bytes;
            deleted++;
        }

        if (deleted > 0)
        {
            IngestLog.DeadLettersTrimmed(_logger, _options.DeadLetterMaxBytes, deleted);
        }
    }

    private static long RecordBytes(string description)
    {
        var record = System.IO.Path.ChangeExtension(description, ".rec");
        return File.Exists(record) ? new FileInfo(record).Length : 0;
    }

    private IEnumerable<string> Descriptions() =>
        System.IO.Directory.Exists(Directory) ? System.IO.Directory.EnumerateFiles(Directory, "*.json") : [];

    private static DeadLetter? Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<DeadLetter>(File.ReadAllBytes(path), JsonOptions);
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            return null; // deleted meanwhile, or not ours
        }
    }

    private void WriteDurably(string path, ReadOnlySpan<byte> bytes)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1);
        file.Write(bytes);
        file.Flush(flushToDisk: _options.Fsync == SpoolFsync.Always);
    }
}
