using System.Globalization;

namespace TaskLens.Benchmarks.Load;

/// <summary>
/// A process's resident set by kind of mapping, from <c>/proc/PID/smaps</c>, MiB: managed images (<c>.dll</c>), native
/// libraries (<c>.so</c>), the runtime's W^X double mapping (<c>memfd:doublemapper</c>: JIT'd code, stubs and loader
/// heaps; a page mapped both writable and executable is counted in each view, as the kernel's RSS counts it), other
/// files, and anonymous memory inside the GC's reservation (the managed heap as committed and touched) or outside it
/// (the native heap, thread stacks, the runtime's own). The GC reserves one range of virtual memory at start
/// (hundreds of GiB with regions) and commits pieces of it, so the anonymous mappings that tile a contiguous range of at
/// least <see cref="GcReserveBytes"/> are its; glibc's arenas are 64 MiB each.
/// </summary>
internal sealed record SmapsSplit(double Images, double NativeLibraries, double DoubleMapped, double OtherFiles, double GcHeap, double OtherAnonymous)
{
    public const ulong GcReserveBytes = 1UL << 32;

    public static readonly SmapsSplit Empty = new(0, 0, 0, 0, 0, 0);

    public static SmapsSplit Read(int pid)
    {
        try
        {
            return Parse(File.ReadLines($"/proc/{pid}/smaps"));
        }
        catch (IOException)
        {
            return Empty; // The process ended.
        }
    }

    public static SmapsSplit Parse(IEnumerable<string> lines)
    {
        double images = 0, libraries = 0, doubleMapped = 0, otherFiles = 0;

        // Anonymous mappings in address order, grouped into runs of contiguous addresses.
        var runs = new List<(ulong Start, ulong End, double RssMiB)>();
        Mapping? kind = null;
        foreach (var line in lines)
        {
            if (IsHeader(line, out var start, out var end, out var path))
            {
                kind = path switch
                {
                    "" => Mapping.Anonymous,
                    _ when path.EndsWith(".dll", StringComparison.Ordinal) => Mapping.Image,
                    _ when path.Contains(".so", StringComparison.Ordinal) => Mapping.Library,
                    _ when path.StartsWith("/memfd:doublemapper", StringComparison.Ordinal) => Mapping.DoubleMapped,
                    _ when path.StartsWith('[') => Mapping.NamedAnonymous,
                    _ => Mapping.File,
                };
                if (kind == Mapping.Anonymous)
                {
                    if (runs.Count > 0 && runs[^1].End == start)
                    {
                        runs[^1] = (runs[^1].Start, end, runs[^1].RssMiB);
                    }
                    else
                    {
                        runs.Add((start, end, 0));
                    }
                }

                continue;
            }

            if (kind is null || !line.StartsWith("Rss:", StringComparison.Ordinal))
            {
                continue;
            }

            var mib = double.Parse(line.AsSpan(4).Trim().ToString().Split(' ')[0], CultureInfo.InvariantCulture) / 1024;
            switch (kind)
            {
                case Mapping.Image: images += mib; break;
                case Mapping.Library: libraries += mib; break;
                case Mapping.DoubleMapped: doubleMapped += mib; break;
                case Mapping.File: otherFiles += mib; break;
                case Mapping.Anonymous: runs[^1] = (runs[^1].Start, runs[^1].End, runs[^1].RssMiB + mib); break;
                default: runs.Add((0, 0, mib)); break; // [heap], [stack] and the like: never part of the GC's range
            }
        }

        double gc = 0, other = 0;
        foreach (var run in runs)
        {
            if (run.End - run.Start >= GcReserveBytes)
            {
                gc += run.RssMiB;
            }
            else
            {
                other += run.RssMiB;
            }
        }

        return new SmapsSplit(images, libraries, doubleMapped, otherFiles, gc, other);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"images {Images:F0} + native libraries {NativeLibraries:F0} + JIT/loader double mapping {DoubleMapped:F0} + other files {OtherFiles:F0} + GC reservation {GcHeap:F0} + other anonymous {OtherAnonymous:F0}");

    /// <summary>A header line: <c>start-end perms offset dev inode [path]</c>.</summary>
    private static bool IsHeader(string line, out ulong start, out ulong end, out string path)
    {
        start = end = 0;
        path = "";
        var dash = line.IndexOf('-', StringComparison.Ordinal);
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        if (dash <= 0 || space <= dash
            || !ulong.TryParse(line.AsSpan(0, dash), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out start)
            || !ulong.TryParse(line.AsSpan(dash + 1, space - dash - 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out end))
        {
            return false;
        }

        var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
        path = fields.Length > 5 ? fields[5].Trim() : "";
        return true;
    }

    /// <summary>What a mapping is, from its path.</summary>
    private enum Mapping
    {
        Anonymous,
        NamedAnonymous,
        Image,
        Library,
        DoubleMapped,
        File,
    }
}
