namespace TaskLens.Core.Traces;

/// <summary>A service that sent spans: how many (duplicates of retried exports counted once) and when last.</summary>
public sealed record ServiceSummary(string Name, ulong SpanCount, DateTimeOffset LastSeen);
