namespace TaskLens.Ingest.Otlp;

/// <summary>What an attribute belongs to, for sinks that keep the levels apart or keep some of them only.</summary>
internal enum AttributeOwner
{
    Resource,
    Scope,

    /// <summary>A span, or one of its events or links; also a log record or a metric data point.</summary>
    Item,
}
