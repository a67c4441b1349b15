namespace TaskLens.Ingest.Spool;

/// <summary>
/// One read of the spool (a run's worth of records of one segment), held by <see cref="SpoolDrainer"/> until every run
/// started from it is settled; its buffers are then given back and the checkpoint moves past it.
/// </summary>
internal sealed class DrainSlice(SpoolSegmentReader.ReadResult read, long segment, long start, bool completesSegment)
{
    public SpoolSegmentReader.ReadResult Read { get; } = read;

    public long Segment { get; } = segment;

    /// <summary>The read reached the end of a sealed segment: once stored, the drainer moves on to the next segment.</summary>
    public bool CompletesSegment { get; } = completesSegment;

    /// <summary>The bytes of the segment the read covered: what counts against <see cref="SpoolOptions.DrainBufferBytes"/>.</summary>
    public long Bytes { get; } = read.End - start;

    /// <summary>The first record not yet in a run.</summary>
    public int NextRecord { get; set; }

    /// <summary>Runs started from this slice and not yet settled.</summary>
    public int Unsettled { get; set; }

    public bool HasRecordsToStart => NextRecord < Read.Records.Count;

    /// <summary>Every run of it is settled: its buffers can go back.</summary>
    public bool IsDone => !HasRecordsToStart && Unsettled == 0;
}
