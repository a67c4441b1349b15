namespace TaskLens.Core.Incidents;

/// <summary>What sort of cause a fault alert points at (<see cref="FaultKinds"/>).</summary>
public enum FaultKind
{
    /// <summary>Pod and workload lifecycle (a back-off, replicas missing, a crash loop without a reason): follows any cause.</summary>
    Neutral,

    /// <summary>A change that does not start: a missing secret or config map, an image that cannot be pulled.</summary>
    Change,

    /// <summary>Trouble while running: memory, a database's connections, a broker's lag, an upstream's throttling, a disk.</summary>
    Run,
}
