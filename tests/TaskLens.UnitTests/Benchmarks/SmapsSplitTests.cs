using TaskLens.Benchmarks.Load;

namespace TaskLens.UnitTests.Benchmarks;

public sealed class SmapsSplitTests
{
    [Fact]
    public void Parse_MappingsOfEachKind_AddsTheirResidentSetsByKind()
    {
        // Abridged /proc/PID/smaps: a framework image in two mappings, a native library, the W^X double mapping, a
        // spool file, the GC's reservation (5 GiB tiled by a committed and an inaccessible mapping), a 64 MiB malloc
        // arena in two pieces, the brk heap and an anonymous mapping elsewhere.
        var split = SmapsSplit.Parse("""
            7f0000000000-7f0000100000 r--p 00000000 08:01 123 /usr/share/dotnet/shared/Microsoft.NETCore.App/10.0.12/System.Private.CoreLib.dll
            Size:               1024 kB
            Rss:                2048 kB
            7f0000100000-7f0000200000 r-xp 00100000 08:01 123 /usr/share/dotnet/shared/Microsoft.NETCore.App/10.0.12/System.Private.CoreLib.dll
            Rss:                1024 kB
            7f0000200000-7f0000300000 r-xp 00000000 08:01 124 /usr/share/dotnet/shared/Microsoft.NETCore.App/10.0.12/libcoreclr.so
            Rss:                3072 kB
            7f0000300000-7f0000400000 rw-s 00000000 00:01 125 /memfd:doublemapper (deleted)
            Rss:                4096 kB
            7f0000400000-7f0000500000 rw-p 00000000 08:01 126 /tmp/spool/segment-1.spool
            Rss:                1024 kB
            7e0000000000-7e0040000000 rw-p 00000000 00:00 0
            Rss:              102400 kB
            VmFlags: rd wr mr mw me ac sd
            7e0040000000-7e0140000000 ---p 00000000 00:00 0
            Rss:                   0 kB
            7d0000000000-7d0001000000 rw-p 00000000 00:00 0
            Rss:                8192 kB
            7d0001000000-7d0004000000 ---p 00000000 00:00 0
            Rss:                   0 kB
            55d000000000-55d000400000 rw-p 00000000 00:00 0                          [heap]
            Rss:                2048 kB
            7c0000000000-7c0000100000 rw-p 00000000 00:00 0
            Rss:                1024 kB
            """.Split('\n'));

        Assert.Equal(new SmapsSplit(Images: 3, NativeLibraries: 3, DoubleMapped: 4, OtherFiles: 1, GcHeap: 100, OtherAnonymous: 11), split);
    }

    [Fact]
    public void Parse_NoMappings_IsEmpty() => Assert.Equal(SmapsSplit.Empty, SmapsSplit.Parse([]));
}
