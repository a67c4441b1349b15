namespace TaskLens.Ingest.Spool;

/// <summary>A place in the spool: a segment and a byte offset in it.</summary>
internal sealed record SpoolPosition(long Seq, long Offset);
