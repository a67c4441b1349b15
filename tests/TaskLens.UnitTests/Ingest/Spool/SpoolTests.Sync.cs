using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Win32.SafeHandles;
using TaskLens.Ingest.Spool;

namespace TaskLens.UnitTests.Ingest.Spool;

/// <summary>
/// Group commit's durability: an export is acknowledged only once a sync that began after its record was written has
/// returned, readers stop before records not yet synced, and a failed sync refuses its exports and cuts their records
/// from the segment. Syncs are held and released by the test, so nothing here depends on timing.
/// </summary>
public sealed partial class SpoolTests
{
    [Fact]
    public async Task Append_IsAcknowledgedOnlyOnceASyncThatBeganAfterItsRecordWasWrittenReturns()
    {
        var syncs = new HeldSyncs();
        await using var spool = CreateSpoolWithSyncs(syncs);
        int first = Record(0).EncodedLength, second = Record(1).EncodedLength;

        var firstAck = spool.AppendAsync(Record(0));
        await syncs.StartedAsync(1);
        var secondAck = spool.AppendAsync(Record(1)); // arrives while the first group syncs

        Assert.False(firstAck.IsCompleted);
        Assert.Equal([first], syncs.LengthAtStart); // the first record was written before its sync began
        Assert.Equal(0, spool.Committed.Offset); // readers never see a record before it is on disk

        syncs.Release();
        await firstAck;
        Assert.Equal(first, spool.Committed.Offset);
        await syncs.StartedAsync(2);
        Assert.False(secondAck.IsCompleted); // the sync covering it has begun, not returned
        Assert.Equal([first, first + second], syncs.LengthAtStart);

        syncs.Release();
        await secondAck;
        Assert.Equal(first + second, spool.Committed.Offset);
    }

    [Fact]
    public async Task SyncThatFails_RefusesItsExport_AndCutsItsRecordFromTheSpool()
    {
        var syncs = new HeldSyncs { FailFirst = true };
        await using (var spool = CreateSpoolWithSyncs(syncs))
        {
            var firstAck = spool.AppendAsync(Record(0));
            await syncs.StartedAsync(1);
            var segment = SegmentFiles().Single();
            var secondAck = spool.AppendAsync(Record(1));

            syncs.Release();
            await Assert.ThrowsAsync<SpoolFullException>(() => firstAck);
            Assert.Equal(0, new FileInfo(segment).Length); // cut back to what was synced: nothing

            // The next group goes to a new segment and is acknowledged once synced.
            await syncs.StartedAsync(2);
            syncs.Release();
            await secondAck;
            Assert.Null(spool.WriteFailure);
        }

        var read = ReadAll();
        Assert.Equal(0, read.SkippedBytes);
        Assert.Equal(["span-1"], read.Records.Select(r => SpanName(r.Record)));
    }

    private DiskSpool CreateSpoolWithSyncs(HeldSyncs syncs) =>
        new(Options.Create(new SpoolOptions { Path = _directory, MaxBytes = 1024 * 1024, MaxShare = 1, Preallocate = false }), NullLogger<DiskSpool>.Instance)
        {
            SyncData = syncs.Sync,
        };

    /// <summary>
    /// Stands in for <c>fdatasync</c>: notes the file's length when each sync begins, then waits for the test to
    /// release it before syncing for real (or failing, the first one, with <see cref="FailFirst"/>).
    /// </summary>
    private sealed class HeldSyncs
    {
        private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
        private readonly SemaphoreSlim _started = new(0);
        private readonly SemaphoreSlim _released = new(0);
        private readonly Lock _gate = new();
        private readonly List<long> _lengthAtStart = [];

        public bool FailFirst { get; init; }

        public List<long> LengthAtStart
        {
            get
            {
                lock (_gate)
                {
                    return [.. _lengthAtStart];
                }
            }
        }

        public void Sync(SafeFileHandle file)
        {
            int count;
            lock (_gate)
            {
                _lengthAtStart.Add(RandomAccess.GetLength(file));
                count = _lengthAtStart.Count;
            }

            _started.Release();
            if (!_released.Wait(Patience))
            {
                throw new TimeoutException("the test never released this sync");
            }

            if (FailFirst && count == 1)
            {
                throw new IOException("fdatasync failed (test)");
            }

            FileDataSync.Sync(file);
        }

        /// <summary>Completes once <paramref name="count"/> syncs have begun in all.</summary>
        public async Task StartedAsync(int count)
        {
            while (LengthAtStart.Count < count)
            {
                Assert.True(await _started.WaitAsync(Patience), $"sync {count} never began");
            }
        }

        public void Release() => _released.Release();
    }
}
