namespace TaskLens.Core.Incidents;

/// <summary>
/// What an alert or a span is about, as one identity across tools' conventions: a Kubernetes workload
/// (<c>namespace/name</c>: a deployment, stateful set or daemon set, named outright or read from a pod name's workload
/// prefix), a machine (<c>node/address</c>: node-exporter's <c>instance</c>, or a node name of the <c>ip-10-0-1-12</c>
/// form), or else the service a label or <c>service.name</c> names. Exporters (kube-state-metrics, node-exporter, a
/// database's exporter) are never the identity: the labels they keep are their target's.
/// </summary>
public static class Workload
{
    private static readonly string[] WorkloadLabels = ["deployment", "statefulset", "daemonset", "k8s_deployment_name", "k8s_statefulset_name", "k8s_daemonset_name", "horizontalpodautoscaler"];
    private static readonly string[] NamespaceLabels = ["namespace", "k8s_namespace_name", "involvedObject.namespace", "exported_namespace"];
    private static readonly string[] PodLabels = ["pod", "k8s_pod_name", "involvedObject.name", "exported_pod"];
    private static readonly string[] ServiceLabels = ["service", "service_name", "app", "application", "component", "app_kubernetes_io_name"];
    private static readonly string[] NotWorkloads = ["kube-state-metrics", "kubelet", "apiserver", "prometheus", "alertmanager", "cadvisor", "coredns"];

    /// <summary>The identity an alert's labels name, or null (a namespace alone, or nothing that names a workload).</summary>
    public static string? OfLabels(IReadOnlyDictionary<string, string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var job = Get(labels, "job");
        var exporterJob = job is not null && (job.EndsWith("exporter", StringComparison.Ordinal) || NotWorkloads.Contains(job));
        if (Get(labels, "node") is { } node && Get(labels, "pod") is null)
        {
            return Node(node);
        }

        if (Get(labels, "mountpoint") is not null || Get(labels, "fstype") is not null || job == "node-exporter")
        {
            return Get(labels, "instance") is { } instance ? Node(Host(instance)) : null;
        }

        var space = First(labels, NamespaceLabels);
        if (space is not null)
        {
            if (First(labels, WorkloadLabels) is { } name)
            {
                return $"{space}/{name}";
            }

            if (First(labels, PodLabels) is { } pod)
            {
                return $"{space}/{PodWorkload(pod)}";
            }

            if (Get(labels, "job_name") is { } batch)
            {
                return $"{space}/{batch.TrimEnd("0123456789".ToCharArray()).TrimEnd('-')}";
            }

            if ((First(labels, ServiceLabels) ?? (exporterJob ? null : job)) is { } service)
            {
                return $"{space}/{service}";
            }
        }

        return First(labels, ServiceLabels) ?? (exporterJob ? null : job);
    }

    /// <summary>
    /// The machine an alert about a pod or container was seen on (a <c>node</c> label beside a <c>pod</c>, a Kubernetes
    /// event's <c>source.host</c>), or null.
    /// </summary>
    public static string? MachineOfLabels(IReadOnlyDictionary<string, string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        return (Get(labels, "source.host") ?? Get(labels, "involvedObject.node") ?? (Get(labels, "pod") is not null ? Get(labels, "node") : null)) is { } node ? Node(node) : null;
    }

    /// <summary>The identity of a span's resource: its Kubernetes workload when the SDK saw one, else its service.name.</summary>
    public static string? OfResource(IReadOnlyDictionary<string, string> resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var space = Get(resource, "k8s.namespace.name");
        var name = Get(resource, "k8s.deployment.name") ?? Get(resource, "k8s.statefulset.name") ?? Get(resource, "k8s.daemonset.name")
            ?? (Get(resource, "k8s.pod.name") is { } pod ? PodWorkload(pod) : null);
        return space is not null && name is not null ? $"{space}/{name}" : Get(resource, "service.name");
    }

    /// <summary>The machine identity of a node name or address: <c>ip-10-0-1-12[.ec2.internal]</c> and <c>10.0.1.12</c> agree.</summary>
    public static string Node(string nameOrAddress)
    {
        ArgumentNullException.ThrowIfNull(nameOrAddress);
        var name = nameOrAddress.Trim().ToLowerInvariant();
        if (name.StartsWith("ip-", StringComparison.Ordinal))
        {
            var parts = name[3..].Split('.')[0].Split('-');
            if (parts.Length == 4 && parts.All(p => byte.TryParse(p, out _)))
            {
                name = string.Join('.', parts);
            }
        }

        return $"node/{name}";
    }

    /// <summary>
    /// A pod name's workload: <c>cart-api-5d8f7c9b6d-q2x7k</c> (deployment: replica set hash, pod suffix) → <c>cart-api</c>;
    /// <c>ledger-db-0</c> (stateful set ordinal) → <c>ledger-db</c>; <c>node-exporter-xk2p9</c> (daemon set) → <c>node-exporter</c>.
    /// </summary>
    public static string PodWorkload(string pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var parts = pod.Trim().ToLowerInvariant().Split('-').ToList();
        if (parts.Count > 1 && parts[^1].All(char.IsDigit))
        {
            parts.RemoveAt(parts.Count - 1);
            return string.Join('-', parts);
        }

        if (parts.Count > 2 && parts[^1].Length == 5 && parts[^2].Length is >= 8 and <= 10 && Generated(parts[^1]) && Generated(parts[^2]))
        {
            parts.RemoveRange(parts.Count - 2, 2);
        }
        else if (parts.Count > 1 && parts[^1].Length == 5 && Generated(parts[^1]))
        {
            parts.RemoveAt(parts.Count - 1);
        }

        return string.Join('-', parts);
    }

    /// <summary>
    /// The pod-template hash of the ReplicaSet a Deployment's pod belongs to (<c>cart-api-5d8f7c9b6d-q2x7k</c> →
    /// <c>5d8f7c9b6d</c>): every pod of one ReplicaSet carries it, a rollout's new pods a new one. Null for other pods.
    /// </summary>
    public static string? TemplateHash(IReadOnlyDictionary<string, string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        return First(labels, PodLabels) is { } pod ? TemplateHashOfPod(pod) : null;
    }

    /// <summary>The pod-template hash in a Deployment's pod name (<c>cart-api-5d8f7c9b6d-q2x7k</c> → <c>5d8f7c9b6d</c>), else null.</summary>
    public static string? TemplateHashOfPod(string pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var parts = pod.Trim().ToLowerInvariant().Split('-');
        return parts.Length > 2 && parts[^1].Length == 5 && parts[^2].Length is >= 8 and <= 10 && Generated(parts[^1]) && Generated(parts[^2]) ? parts[^2] : null;
    }

    /// <summary>Kubernetes' generated suffixes use consonants and digits only (no vowels, so they spell no words).</summary>
    private static bool Generated(string part) => part.All(c => char.IsAsciiDigit(c) || (char.IsAsciiLetterLower(c) && !"aeiou".Contains(c, StringComparison.Ordinal)));

    private static string Host(string instance)
    {
        var colon = instance.LastIndexOf(':');
        return colon > 0 ? instance[..colon] : instance;
    }

    private static string? First(IReadOnlyDictionary<string, string> labels, string[] names)
    {
        foreach (var name in names)
        {
            if (Get(labels, name) is { } value)
            {
                return value;
            }
        }

        return null;
    }

    private static string? Get(IReadOnlyDictionary<string, string> labels, string name) =>
        labels.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim().ToLowerInvariant() : null;
}
