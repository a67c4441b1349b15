namespace TaskLens.Core.Incidents;

/// <summary>
/// Tells a fault from a change that does not start (a rollout whose pods cannot find their secret, an image that cannot
/// be pulled) from trouble while running (out of memory, a database's connections, a broker's lag, an upstream's 429s),
/// read from the <c>reason</c> label and the alert's words; lifecycle alerts that follow either (back-offs, replicas
/// missing) are neutral. The two are different causes even on one workload at one time: a bad rollout of an app whose
/// broker is already lagging is a second trouble, not more of the first.
/// </summary>
public static class FaultKinds
{
    private static readonly HashSet<string> ChangeReasons = new(StringComparer.OrdinalIgnoreCase)
    {
        "CreateContainerConfigError", "CreateContainerError", "ImagePullBackOff", "ErrImagePull", "InvalidImageName", "RunContainerError", "FailedMount",
    };

    /// <summary>Words of a change that does not start (an event's message: <c>secret "x" not found</c>, <c>Failed to pull image</c>).</summary>
    private static readonly HashSet<string> ChangeWords = new(StringComparer.Ordinal) { "secret", "configmap", "image" };

    private static readonly HashSet<string> RunReasons = new(StringComparer.OrdinalIgnoreCase) { "OOMKilled", "Error", "ContainerCannotRun", "DeadlineExceeded" };

    /// <summary>kube-prometheus rules that say a rollout (a change) does not progress: the workload's new pods do not become ready.</summary>
    private static readonly HashSet<string> ChangeRules = new(StringComparer.OrdinalIgnoreCase)
    {
        "KubeDeploymentRolloutStuck", "KubeStatefulSetUpdateNotRolledOut", "KubeDaemonSetRolloutStuck",
    };

    /// <summary>kube-prometheus lifecycle rules and events that follow whatever keeps pods from running.</summary>
    private static readonly HashSet<string> Lifecycle = new(StringComparer.OrdinalIgnoreCase)
    {
        "KubePodCrashLooping", "KubePodNotReady", "KubeContainerWaiting", "KubeDeploymentReplicasMismatch", "KubeStatefulSetReplicasMismatch",
        "KubeDeploymentGenerationMismatch", "KubeStatefulSetGenerationMismatch", "KubeDaemonSetMisScheduled", "KubeDaemonSetNotScheduled", "BackOff", "Unhealthy", "Killing",
    };

    /// <summary>
    /// Whether the alert says a Deployment's available replicas are missing: serving pods that stopped. A rollout that
    /// does not start does not cause it (the default strategy keeps the old pods serving until new ones are ready).
    /// </summary>
    public static bool ServingReplicasMissing(CorrelationInput alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        return string.Equals(alert.Labels.GetValueOrDefault("alertname"), "KubeDeploymentReplicasMismatch", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Whether a <c>reason</c> label tells why a container does not run (a change's or trouble while running's), not a lifecycle step.</summary>
    public static bool TellsPodCause(string reason) => ChangeReasons.Contains(reason) || RunReasons.Contains(reason);

    /// <summary>The kind of a fault alert (not meant for symptoms: they follow their cause).</summary>
    public static FaultKind Of(CorrelationInput alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var reason = alert.Labels.GetValueOrDefault("reason");
        if ((reason is not null && ChangeReasons.Contains(reason)) || ChangeRules.Contains(alert.Labels.GetValueOrDefault("alertname") ?? "")
            || TextVectors.Words(alert.Title).Exists(ChangeWords.Contains))
        {
            return FaultKind.Change;
        }

        if (reason is not null && RunReasons.Contains(reason))
        {
            return FaultKind.Run;
        }

        return Lifecycle.Contains(alert.Labels.GetValueOrDefault("alertname") ?? "") || (reason is not null && Lifecycle.Contains(reason))
            ? FaultKind.Neutral
            : FaultKind.Run;
    }
}
