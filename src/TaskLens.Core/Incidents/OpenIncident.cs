using TaskLens.Core.Incidents.Learning;

namespace TaskLens.Core.Incidents;

/// <summary>
/// What <see cref="AlertCorrelator"/> keeps of one incident that still takes alerts: its goals, workloads, faults and
/// symptoms, repeat keys, firing alerts, words, and what tells another trouble on the same workload apart (a
/// container's <c>reason</c>, pod-template hashes, kinds of fault).
/// </summary>
internal sealed class OpenIncident(string id)
{
    private const int MaxRecent = 16;

    /// <summary>How a machine's identity starts (<see cref="Workload.Node"/>): an evicted pod is its victim, not one of its ReplicaSets.</summary>
    private const string MachinePrefix = "node/";

    public string Id { get; } = id;

    public DateTimeOffset Last { get; private set; }

    public HashSet<string> Goals { get; } = new(StringComparer.Ordinal);

    /// <summary>The workloads, machines or services its alerts are about.</summary>
    public HashSet<string> Services { get; } = new(StringComparer.Ordinal);

    /// <summary>Its alerts' kinds (<see cref="AlertKind"/>), for what people decided about them.</summary>
    public HashSet<string> Kinds { get; } = new(StringComparer.Ordinal);

    /// <summary>One alert of each of its first kinds, for the learnt grouping's pair features.</summary>
    public List<CorrelationInput> Recent { get; } = [];

    /// <summary>The workloads its other alerts (faults: crashes, a disk, a database) are about.</summary>
    public HashSet<string> Causes { get; } = new(StringComparer.Ordinal);

    /// <summary>The workloads its symptom alerts (errors, latency) are about.</summary>
    public HashSet<string> Symptomatic { get; } = new(StringComparer.Ordinal);

    /// <summary>Its alerts' repeat keys (<see cref="CorrelationInput.RepeatKey"/>).</summary>
    public HashSet<string> Repeats { get; } = new(StringComparer.Ordinal);

    /// <summary>The repeat keys of its alerts not resolved yet.</summary>
    public HashSet<string> Firing { get; } = new(StringComparer.Ordinal);

    /// <summary>The sum of its alerts' word vectors (cosine ignores the scale).</summary>
    public Dictionary<string, double> Words { get; } = new(StringComparer.Ordinal);

    /// <summary>The <c>reason</c> each alert name on each workload gave (a crash loop's OOMKilled, a config error).</summary>
    private Dictionary<(string Identity, string Name), HashSet<string>> Reasons { get; } = [];

    /// <summary>The pod-template hashes (<see cref="Workload.TemplateHash"/>) of the pods its faults are about, per workload.</summary>
    private Dictionary<string, HashSet<string>> Templates { get; } = new(StringComparer.Ordinal);

    /// <summary>The kinds of fault (<see cref="FaultKinds"/>) its alerts tell on each workload.</summary>
    private Dictionary<string, HashSet<FaultKind>> FaultKindsOn { get; } = new(StringComparer.Ordinal);

    /// <summary>The workloads it holds faults about their pods on: lifecycle, a change, or a container's <c>reason</c>.</summary>
    private HashSet<string> PodFaults { get; } = new(StringComparer.Ordinal);

    /// <summary>The workloads it holds a change or a container's <c>reason</c> on (of <see cref="PodFaults"/>, all but lifecycle alone).</summary>
    private HashSet<string> PodCauses { get; } = new(StringComparer.Ordinal);

    public bool PodFaultsOn(string identity) => PodFaults.Contains(identity);

    /// <summary>The pod-template hashes of the workload's pods its faults are about (null: none).</summary>
    public HashSet<string>? TemplatesOn(string identity) => Templates.GetValueOrDefault(identity);

    /// <summary>Whether it holds why the workload's pods do not run: a change that did not start, or a container's <c>reason</c>.</summary>
    public bool PodCausesOn(string identity) => PodCauses.Contains(identity);

    /// <summary>Whether its faults on the workload tell a change that did not start and no trouble while running.</summary>
    public bool ChangeOnlyOn(string identity) =>
        FaultKindsOn.TryGetValue(identity, out var kinds) && kinds.Contains(FaultKind.Change) && !kinds.Contains(FaultKind.Run);

    /// <summary>
    /// The same alert on the same workload with another <c>reason</c> (pods crash-looping for OOMKilled here, for a
    /// missing secret there) is another trouble on that workload, not more of this one; so is a change that does not
    /// start on a workload whose faults here are all trouble while running, or the other way round.
    /// </summary>
    /// <remarks>
    /// Pods of another ReplicaSet of the workload (another pod-template hash) that fail are another trouble too: a
    /// rollout's new pods that do not start, beside old pods crashing while they serve.
    /// </remarks>
    public bool Conflicts(CorrelationInput alert, List<string> identities, bool symptom, FaultKind kind)
    {
        if (!symptom && Workload.TemplateHash(alert.Labels) is { } hash
            && identities.Exists(i => !i.StartsWith(MachinePrefix, StringComparison.Ordinal) && Templates.TryGetValue(i, out var hashes) && !hashes.Contains(hash)))
        {
            return true;
        }

        if (!symptom && kind != FaultKind.Neutral
            && identities.Exists(i => FaultKindsOn.TryGetValue(i, out var kinds) && !kinds.Contains(kind) && kinds.Contains(kind == FaultKind.Run ? FaultKind.Change : FaultKind.Run)))
        {
            return true;
        }

        if (!alert.Labels.TryGetValue("reason", out var reason) || !alert.Labels.TryGetValue("alertname", out var name))
        {
            return false;
        }

        return identities.Exists(i => Reasons.TryGetValue((i, name), out var reasons) && !reasons.Contains(reason));
    }

    public void KeepActiveUntil(DateTimeOffset? time)
    {
        if (time is { } t && t > Last)
        {
            Last = t;
        }
    }

    public void Take(CorrelationInput alert, List<string> identities, bool symptom, FaultKind kind, Dictionary<string, double> vector)
    {
        Last = alert.Time > Last ? alert.Time : Last;
        Repeats.Add(alert.RepeatKey);
        Firing.Add(alert.RepeatKey);
        if (alert.Goal is { } goal)
        {
            Goals.Add(goal);
        }

        Services.UnionWith(identities);
        (symptom ? Symptomatic : Causes).UnionWith(identities);
        if (!symptom)
        {
            if (kind != FaultKind.Run || alert.Labels.ContainsKey("reason"))
            {
                PodFaults.UnionWith(identities);
            }

            if (kind == FaultKind.Change || (alert.Labels.TryGetValue("reason", out var cause) && FaultKinds.TellsPodCause(cause)))
            {
                PodCauses.UnionWith(identities);
            }

            var hash = Workload.TemplateHash(alert.Labels);
            foreach (var identity in identities)
            {
                if (!FaultKindsOn.TryGetValue(identity, out var kinds))
                {
                    FaultKindsOn[identity] = kinds = [];
                }

                kinds.Add(kind);
                if (hash is not null && !identity.StartsWith(MachinePrefix, StringComparison.Ordinal))
                {
                    if (!Templates.TryGetValue(identity, out var hashes))
                    {
                        Templates[identity] = hashes = new HashSet<string>(StringComparer.Ordinal);
                    }

                    hashes.Add(hash);
                }
            }
        }
        if (Kinds.Add(AlertKind.Of(alert)) && Recent.Count < MaxRecent)
        {
            Recent.Add(alert);
        }

        if (alert.Labels.TryGetValue("reason", out var reason) && alert.Labels.TryGetValue("alertname", out var name))
        {
            foreach (var identity in identities)
            {
                if (!Reasons.TryGetValue((identity, name), out var reasons))
                {
                    Reasons[(identity, name)] = reasons = new HashSet<string>(StringComparer.Ordinal);
                }

                reasons.Add(reason);
            }
        }

        foreach (var (word, weight) in vector)
        {
            Words[word] = Words.GetValueOrDefault(word) + weight;
        }
    }
}
