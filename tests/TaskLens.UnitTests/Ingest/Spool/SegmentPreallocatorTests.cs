using Microsoft.Extensions.Logging.Abstractions;
using TaskLens.Ingest.Spool;

namespace TaskLens.UnitTests.Ingest.Spool;

public sealed class SegmentPreallocatorTests : IDisposable
{
    private readonly string _directory = Directory.CreateDirectory(
        Path.Combine(Path.GetTempPath(), "tasklens-prealloc-test-" + Guid.NewGuid().ToString("N")[..8])).FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(3 * 1024 * 1024, true)] // block-aligned: past the page cache where the file system takes it
    [InlineData((2 * 1024 * 1024) + 512, false)] // not a multiple of 4 KiB: through the cache
    public async Task Fill_MakesAFileOfZerosOfTheSegmentsSize_PastThePageCacheWhenAligned(long bytes, bool aligned)
    {
        var segment = Path.Combine(_directory, "0.seg");
        using (var preallocator = new SegmentPreallocator(_directory, bytes, NullLogger.Instance))
        {
            for (var i = 0; i < 600 && !preallocator.IsReady; i++)
            {
                await Task.Delay(50);
            }

            Assert.True(preallocator.TryTake(segment));
            // ext4, xfs and tmpfs (Linux 6.6 and later) take O_DIRECT; this assertion says so if a test machine does not.
            Assert.Equal(aligned && OperatingSystem.IsLinux(), preallocator.UsedDirectWrites);
        }

        var content = await File.ReadAllBytesAsync(segment);
        Assert.Equal(bytes, content.LongLength);
        Assert.Equal(-1, content.AsSpan().IndexOfAnyExcept((byte)0));
    }
}
