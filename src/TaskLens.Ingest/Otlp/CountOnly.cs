namespace TaskLens.Ingest.Otlp;

/// <summary>
/// While active on a thread, the protobuf decoders skip making strings (see <see cref="OtlpTraceDecoder.Validate"/>).
/// Decoding is synchronous, so a thread-static flag scoped by <see cref="Enter"/> cannot leak into other work.
/// </summary>
internal static class CountOnly
{
    [ThreadStatic]
    private static bool t_active;

    public static bool Active => t_active;

    public static Scope Enter() => Set(true);

    /// <summary>Makes strings again within a count-only decode (for the few that must be read).</summary>
    public static Scope Suspend() => Set(false);

    private static Scope Set(bool active)
    {
        var previous = t_active;
        t_active = active;
        return new Scope(previous);
    }

    public readonly struct Scope(bool previous) : IDisposable
    {
        public void Dispose() => t_active = previous;
    }
}
