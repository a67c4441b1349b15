namespace TaskLens.Core;

/// <summary>
/// A holder of TaskLens's own instruments (System.Diagnostics.Metrics), one per project and concept, registered as this
/// too so the host creates every one at start: <c>/metrics</c> lists each instrument from the first scrape, not from the
/// first time its code runs.
/// </summary>
#pragma warning disable CA1040 // a marker: what matters is that the host can ask for all of them
public interface ISelfMetrics;
#pragma warning restore CA1040
