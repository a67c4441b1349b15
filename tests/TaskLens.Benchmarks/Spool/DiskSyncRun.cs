using System.Diagnostics;
using System.Globalization;
using TaskLens.Ingest.Spool;

namespace TaskLens.Benchmarks.Spool;

/// <summary>
/// The disk under the spool, measured alone (<c>disk-sync [DIR] [ROUNDS]</c>): how long an append of 0.3-4 MiB takes
/// to write and sync — an SDK export's group is ~0.3-1 MiB, a 5,000-span agent export ~3 MiB — by how the file and
/// the sync are made: a file that grows with its appends (what the spool did before preallocation) synced by
/// <c>fsync</c> (<see cref="FileStream.Flush(bool)"/>) or <c>fdatasync</c>; space reserved with <c>fallocate</c>
/// (<see cref="FileStreamOptions.PreallocationSize"/>: "unwritten" extents); a file of zeros written and synced ahead
/// (the spool's <see cref="SpoolOptions.Preallocate"/>), synced by <c>fdatasync</c>, <c>fsync</c>, or opened
/// write-through (<c>O_DSYNC</c>). Modes and sizes are interleaved in a shuffled order each round, so the machine's
/// load falls on all alike. Milliseconds per append.
/// </summary>
internal static class DiskSyncRun
{
    private const long FileBytes = 256L * 1024 * 1024;
    private static readonly int[] Sizes = [300 * 1024, 1024 * 1024, 3 * 1024 * 1024, 4 * 1024 * 1024];

    private enum Mode
    {
        GrowFsync,
        GrowFdatasync,
        FallocateFdatasync,
        ZeroFdatasync,
        ZeroFsync,
        ZeroWriteThrough,
    }

    public static int Run(string directory, int rounds)
    {
        Directory.CreateDirectory(directory);
        var modes = Enum.GetValues<Mode>();
        var files = modes.ToDictionary(m => m, m => Open(directory, m));
        var samples = modes.SelectMany(m => Sizes.Select(s => (m, s))).ToDictionary(k => k, _ => new List<double>());
        var payloads = Sizes.ToDictionary(s => s, s => RandomBytes(s));
        var random = new Random(20);
        try
        {
            for (var round = 0; round < rounds; round++)
            {
                var order = samples.Keys.ToArray();
                random.Shuffle(order);
                foreach (var (mode, size) in order)
                {
                    var file = files[mode];
                    if (file.Position + size > FileBytes)
                    {
                        file.Position = 0;
                    }

                    var clock = Stopwatch.StartNew();
                    file.Write(payloads[size]);
                    Sync(file, mode);
                    samples[(mode, size)].Add(clock.Elapsed.TotalMilliseconds);
                }
            }
        }
        finally
        {
            foreach (var file in files.Values)
            {
                file.Dispose();
                File.Delete(file.Name);
            }
        }

        Console.WriteLine($"{"mode",-22} {"MiB",5} {"p50",7} {"p90",7} {"p99",7} {"max",7}   (ms, {rounds} appends each, interleaved)");
        foreach (var ((mode, size), values) in samples)
        {
            values.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{mode,-22} {size / 1048576.0,5:0.0} {At(values, 0.5),7:0.0} {At(values, 0.9),7:0.0} {At(values, 0.99),7:0.0} {values[^1],7:0.0}"));
        }

        return 0;
    }

    private static FileStream Open(string directory, Mode mode)
    {
        var path = Path.Combine(directory, mode + ".bin");
        if (mode is Mode.ZeroFdatasync or Mode.ZeroFsync or Mode.ZeroWriteThrough)
        {
            using var zeros = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1);
            var chunk = new byte[4 * 1024 * 1024];
            for (long written = 0; written < FileBytes; written += chunk.Length)
            {
                zeros.Write(chunk);
            }

            zeros.Flush(flushToDisk: true);
        }

        return new FileStream(path, new FileStreamOptions
        {
            Mode = mode is Mode.ZeroFdatasync or Mode.ZeroFsync or Mode.ZeroWriteThrough ? FileMode.Open : FileMode.Create,
            Access = FileAccess.Write,
            BufferSize = 1,
            Options = mode == Mode.ZeroWriteThrough ? FileOptions.WriteThrough : FileOptions.None,
            PreallocationSize = mode == Mode.FallocateFdatasync ? FileBytes : 0,
        });
    }

    private static void Sync(FileStream file, Mode mode)
    {
        switch (mode)
        {
            case Mode.GrowFsync or Mode.ZeroFsync:
                file.Flush(flushToDisk: true);
                break;
            case Mode.ZeroWriteThrough:
                break; // each write returned once on disk
            default:
                FileDataSync.Sync(file);
                break;
        }
    }

    private static byte[] RandomBytes(int size)
    {
        var bytes = new byte[size];
        new Random(size).NextBytes(bytes);
        return bytes;
    }

    private static double At(List<double> sorted, double p) => sorted[(int)Math.Clamp(Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}
