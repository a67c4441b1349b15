namespace TaskLens.Core.Telemetry;

/// <summary>
/// Keys of the keyed <see cref="ISpanSink"/> registrations. Storage registers the sink that stores spans under
/// <see cref="Stored"/> (and as the plain <see cref="ISpanSink"/> when nothing else is); a decorator such as the goal
/// rollup takes the stored sink by this key and registers itself as the plain one.
/// </summary>
public static class SpanSinkKeys
{
    public const string Stored = "stored";
}
