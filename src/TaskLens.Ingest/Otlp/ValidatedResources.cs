namespace TaskLens.Ingest.Otlp;

/// <summary>
/// What ingest's validation of a trace export (<see cref="OtlpTraceDecoder.Validate"/>) reports of its resources, as
/// a full decode would name them: how many there are, the service of the first (what the spool's shares count by;
/// <c>unknown_service</c> when there is none) and the UTF-8 length of the longest service name (admission bounds it).
/// Nothing for a malformed export.
/// </summary>
public readonly record struct ValidatedResources(int Count, string FirstServiceName, int LongestServiceNameBytes)
{
    public static ValidatedResources None { get; } = new(0, OtlpCommon.UnknownService, 0);
}
