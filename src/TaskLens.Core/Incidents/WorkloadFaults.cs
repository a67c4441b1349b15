namespace TaskLens.Core.Incidents;

/// <summary>
/// What one incident's alerts say about one workload (or machine): the kinds of fault, the pod-template hashes of the
/// failing pods, the <c>reason</c> each alert name gave, and whether its pods' trouble and why they do not run are
/// held. <see cref="OpenIncident"/> keeps one per identity; each way another trouble on the same workload is told
/// apart is one method here.
/// </summary>
internal sealed class WorkloadFaults
{
    private readonly HashSet<FaultKind> _kinds = [];
    private readonly HashSet<string> _templates = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _reasons = new(StringComparer.Ordinal);

    /// <summary>Whether faults about its pods are held: lifecycle, a change, or a container's <c>reason</c>.</summary>
    public bool PodFaults { get; private set; }

    /// <summary>Whether why its pods do not run is held: a change, or a container's <c>reason</c> that tells a cause.</summary>
    public bool PodCauses { get; private set; }

    /// <summary>The pod-template hashes of the failing pods (empty: none known).</summary>
    public IReadOnlySet<string> Templates => _templates;

    /// <summary>Its faults tell a change that did not start and no trouble while running.</summary>
    public bool ChangeOnly => _kinds.Contains(FaultKind.Change) && !_kinds.Contains(FaultKind.Run);

    public void AddKind(FaultKind kind) => _kinds.Add(kind);

    public void AddTemplate(string hash) => _templates.Add(hash);

    public void AddReason(string alertName, string reason)
    {
        if (!_reasons.TryGetValue(alertName, out var reasons))
        {
            _reasons[alertName] = reasons = new HashSet<string>(StringComparer.Ordinal);
        }

        reasons.Add(reason);
    }

    public void MarkPodFault() => PodFaults = true;

    public void MarkPodCause() => PodCauses = true;

    /// <summary>Failing pods of another ReplicaSet (another pod-template hash) than the ones held.</summary>
    public bool OtherTemplate(string hash) => _templates.Count > 0 && !_templates.Contains(hash);

    /// <summary>A change that does not start where all held faults are trouble while running, or the other way round.</summary>
    public bool OppositeKind(FaultKind kind) =>
        !_kinds.Contains(kind) && _kinds.Contains(kind == FaultKind.Run ? FaultKind.Change : FaultKind.Run);

    /// <summary>The same alert with another <c>reason</c> than the ones held (OOMKilled here, a missing secret there).</summary>
    public bool OtherReason(string alertName, string reason) =>
        _reasons.TryGetValue(alertName, out var reasons) && !reasons.Contains(reason);
}
