namespace TaskLens.Core.Access;

/// <summary>Whether the server runs in open mode (<c>TaskLens:Ingest:OpenMode</c>, loopback only): pages say so on every page.</summary>
public sealed record AccessMode(bool OpenMode);
