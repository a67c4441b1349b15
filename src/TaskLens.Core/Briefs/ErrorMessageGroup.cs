namespace TaskLens.Core.Briefs;

/// <summary>
/// One error text of one service over a window: <see cref="Kind"/> is <c>log</c> (a log record's body) or <c>span</c>
/// (a span's status message, or its name when it ended in error without one). <see cref="SampleTraceId"/> is a trace
/// that carried it (empty for logs outside a trace).
/// </summary>
public sealed record ErrorMessageGroup(
    string Service, string Kind, string Text, long Count, DateTimeOffset FirstSeen, DateTimeOffset LastSeen, string SampleTraceId);
