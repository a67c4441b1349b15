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

    /// <summary>What its alerts say about each workload or machine (kinds of fault, pod-template hashes, reasons).</summary>
    private Dictionary<string, WorkloadFaults> Faults { get; } = new(StringComparer.Ordinal);

    public bool PodFaultsOn(string identity) => Faults.GetValueOrDefault(identity)?.PodFaults == true;

    /// <summary>The pod-template hashes of the workload's pods its faults are about (null: none).</summary>
    public IReadOnlySet<string>? TemplatesOn(string identity) =>
        Faults.GetValueOrDefault(identity)?.Templates is { Count: > 0 } templates ? templates : null;

    /// <summary>Whether it holds why the workload's pods do not run: a change that did not start, or a container's <c>reason</c>.</summary>
    public bool PodCausesOn(string identity) => Faults.GetValueOrDefault(identity)?.PodCauses == true;

    /// <summary>Whether its faults on the workload tell a change that did not start and no trouble while running.</summary>
    public bool ChangeOnlyOn(string identity) => Faults.GetValueOrDefault(identity)?.ChangeOnly == true;

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
        var hash = symptom ? null : Workload.TemplateHash(alert.Labels);
        var checkKind = !symptom && kind != FaultKind.Neutral;
        alert.Labels.TryGetValue("reason", out var reason);
        alert.Labels.TryGetValue("alertname", out var name);
        foreach (var identity in identities)
        {
            if (Faults.TryGetValue(identity, out var faults)
                && ((hash is not null && faults.OtherTemplate(hash))
                    || (checkKind && faults.OppositeKind(kind))
                    || (reason is not null && name is not null && faults.OtherReason(name, reason))))
            {
                return true;
            }
        }

        return false;
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
            var podFault = kind != FaultKind.Run || alert.Labels.ContainsKey("reason");
            var podCause = kind == FaultKind.Change || (alert.Labels.TryGetValue("reason", out var cause) && FaultKinds.TellsPodCause(cause));
            var hash = Workload.TemplateHash(alert.Labels);
            foreach (var identity in identities)
            {
                var faults = FaultsOf(identity);
                faults.AddKind(kind);
                if (podFault)
                {
                    faults.MarkPodFault();
                }

                if (podCause)
                {
                    faults.MarkPodCause();
                }

                if (hash is not null && !identity.StartsWith(MachinePrefix, StringComparison.Ordinal))
                {
                    faults.AddTemplate(hash);
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
                FaultsOf(identity).AddReason(name, reason);
            }
        }

        foreach (var (word, weight) in vector)
        {
            Words[word] = Words.GetValueOrDefault(word) + weight;
        }
    }

    private WorkloadFaults FaultsOf(string identity)
    {
        if (!Faults.TryGetValue(identity, out var faults))
        {
            Faults[identity] = faults = new WorkloadFaults();
        }

        return faults;
    }
}
