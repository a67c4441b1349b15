using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace TaskLens.Benchmarks.Incidents;

/// <summary>One notification of a storm: firing or resolved; its ground-truth incident is <see cref="Incident"/>.</summary>
internal sealed record StormAlert(string Id, string Source, string Status, DateTimeOffset Time, string Title, Dictionary<string, string> Labels, string Incident);

/// <summary>
/// A labelled storm: the notifications in time order, and the calls seen in spans as pairs of resource attribute sets
/// (caller, callee), the way an OpenTelemetry SDK on Kubernetes describes each side.
/// </summary>
internal sealed record AlertStorm(string Name, List<Dictionary<string, string>[]> Calls, List<StormAlert> Alerts);

/// <summary>
/// Generates the labelled storms of <c>tests/data/alert-storms/</c> from a small model of a shop on Kubernetes
/// (fixed seeds): apps in namespaces on three machines, calling each other; per storm a few troubles (a database
/// choking, an app crash-looping, a machine's disk filling, the LLM provider throttling, a message broker falling
/// behind, a bad rollout), each hurting its app and then the apps that depend on it, told the way the real tools tell
/// them — kube-prometheus rules over kube-state-metrics and node-exporter (their labels and their <c>for:</c> delays),
/// database exporters, Grafana-managed rules, Kubernetes events through the events API, TaskLens's own series — then
/// sent the way Alertmanager sends them (<see cref="Notify"/>: per route group, after <c>group_wait</c>, again only when
/// the group changes or <c>repeat_interval</c> passed), with a flapping alert, slow troubles that last close to an
/// hour or more, two unrelated troubles on one app at once, and the always-firing Watchdog. Pods of one ReplicaSet share
/// its pod-template hash; a rollout's new pods carry a new one. The model's words (app, machine, trouble) are its own:
/// the labels are rendered as the tools write them, not in the terms the correlator reads.
/// </summary>
internal static partial class ClusterStormCorpus
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <summary>How long after its start a storm is simulated (alerts still firing then are left firing, like the Watchdog).</summary>
    private static readonly TimeSpan Horizon = TimeSpan.FromHours(4);

    private const string KubeStateMetrics = "10.2.0.7:8080";

    private sealed record App(string Space, string Name, bool Stateful, string Telemetry, string Machine, string? Engine = null);

    private sealed record Machine(string Name, string Address);

    /// <summary>An alert of a Prometheus rule (or a Grafana-managed rule) while it fires: from its condition's start plus the rule's <c>for:</c> to when the condition ends.</summary>
    private sealed record RuleFiring(string Source, string Title, Dictionary<string, string> Labels, string Truth, DateTimeOffset From, DateTimeOffset To);

    private static readonly Machine[] Machines = [new("ip-10-0-1-11", "10.0.1.11"), new("ip-10-0-1-12", "10.0.1.12"), new("ip-10-0-1-13", "10.0.1.13")];

    private static readonly App[] Apps =
    [
        new("storefront", "web-frontend", false, "frontend", "ip-10-0-1-11"),
        new("storefront", "cart-api", false, "cart", "ip-10-0-1-12"),
        new("storefront", "checkout-api", false, "checkout", "ip-10-0-1-13"),
        new("payments", "payment-gateway", false, "payments", "ip-10-0-1-11"),
        new("payments", "ledger-db", true, "ledger-db", "ip-10-0-1-12", "postgres"),
        new("catalog", "search-api", false, "search", "ip-10-0-1-13"),
        new("catalog", "catalog-db", true, "catalog-db", "ip-10-0-1-11", "mysql"),
        new("agents", "planner", false, "planner", "ip-10-0-1-12"),
        new("agents", "llm-gateway", false, "llm-gateway", "ip-10-0-1-13"),
        new("agents", "tool-exec", false, "tool-exec", "ip-10-0-1-11"),
        new("platform", "kafka", true, "kafka", "ip-10-0-1-13"),
        new("staging", "cart-api", false, "cart", "ip-10-0-1-12"),
        new("staging", "checkout-api", false, "checkout", "ip-10-0-1-11"),
    ];

    /// <summary>Who depends on whom (caller, callee), by app.</summary>
    private static readonly (string Caller, string Callee)[] Depends =
    [
        ("storefront/web-frontend", "storefront/cart-api"), ("storefront/web-frontend", "catalog/search-api"),
        ("storefront/cart-api", "storefront/checkout-api"), ("storefront/checkout-api", "payments/payment-gateway"),
        ("storefront/checkout-api", "platform/kafka"), ("payments/payment-gateway", "payments/ledger-db"),
        ("catalog/search-api", "catalog/catalog-db"), ("agents/planner", "agents/llm-gateway"), ("agents/planner", "agents/tool-exec"),
        ("agents/tool-exec", "catalog/search-api"), ("staging/cart-api", "staging/checkout-api"),
    ];

    private enum Trouble { DatabaseChoking, CrashLooping, DiskFilling, ProviderThrottling, BrokerBehind, BadRollout }

    private sealed class Storm(Random random, DateTimeOffset start)
    {
        public Random Random { get; } = random;
        public DateTimeOffset Start { get; } = start;

        /// <summary>Notifications sent as they happen (the events API, TaskLens's own detections).</summary>
        public List<StormAlert> Alerts { get; } = [];

        /// <summary>Rule alerts, sent through an Alertmanager by <see cref="Notify"/>.</summary>
        public List<RuleFiring> Firings { get; } = [];

        /// <summary>Each app's running pods: a Deployment's three share its ReplicaSet's pod-template hash; a StatefulSet's are numbered.</summary>
        public Dictionary<string, string[]> Pods { get; } = new(StringComparer.Ordinal);

        /// <summary>The one node-exporter pod (a DaemonSet's) on each machine.</summary>
        public Dictionary<string, string> NodeExporters { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>The parts written: name, first seed, count.</summary>
    internal static readonly (string Part, int First, int Count)[] Parts = [("choose", 1, 6), ("held-out", 101, 8), ("fresh-201", 201, 10), ("fresh-301", 301, 10)];

    /// <summary>
    /// Writes every part: <c>choose/</c> (seeds 1–6, where settings are chosen), <c>held-out/</c> (101–108) and
    /// <c>fresh-201/</c> (201–210) — both seen, their totals read while rules were changed — and <c>fresh-301/</c>
    /// (301–310), the part reported.
    /// </summary>
    public static void Generate(string directory)
    {
        foreach (var (part, first, count) in Parts)
        {
            var folder = Path.Combine(directory, part);
            Directory.CreateDirectory(folder);
            for (var s = first; s < first + count; s++)
            {
                File.WriteAllText(Path.Combine(folder, $"storm-{s:D3}.json"), JsonSerializer.Serialize(Scenario(s), Json));
            }
        }
    }

    public static List<AlertStorm> Load(string directory) =>
        Directory.GetFiles(directory, "storm-*.json").Order(StringComparer.Ordinal)
            .Select(f => JsonSerializer.Deserialize<AlertStorm>(File.ReadAllText(f), Json)!)
            .ToList();

    internal static AlertStorm Scenario(int seed)
    {
        var storm = new Storm(new Random(seed * 7919), new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero).AddHours(seed * 3));
        var random = storm.Random;
        foreach (var app in Apps)
        {
            var hash = Suffix(random, 10);
            storm.Pods[Key(app)] = [.. Enumerable.Range(0, 3).Select(i => app.Stateful ? $"{app.Name}-{i}" : $"{app.Name}-{hash}-{Suffix(random, 5)}")];
        }

        foreach (var machine in Machines)
        {
            storm.NodeExporters[machine.Name] = $"node-exporter-{Suffix(random, 5)}";
        }

        var troubles = Enum.GetValues<Trouble>().OrderBy(_ => random.Next()).Take(2 + random.Next(3)).ToList();
        var number = 0;
        var hurt = new List<string>();
        foreach (var trouble in troubles)
        {
            number++;
            var begins = storm.Start.AddMinutes(random.Next(0, 25));
            var slow = random.Next(3) == 0; // a slow burn: an hour or more
            var minutes = slow ? 45 + random.Next(30) : 20 + random.Next(20);
            hurt.Add(Cause(storm, trouble, $"trouble-{number}", begins, minutes));
        }

        // Two unrelated troubles on one app at once: a bad rollout of an app already hurt by another trouble.
        if (random.Next(2) == 0 && hurt.Count > 0)
        {
            // A machine's trouble hurts the apps on it: its first evicted app.
            var hurtOne = hurt[random.Next(hurt.Count)];
            var app = hurtOne.StartsWith("machine/", StringComparison.Ordinal)
                ? Apps.First(a => a.Machine == hurtOne["machine/".Length..] && !a.Stateful)
                : Find(hurtOne);
            Rollout(storm, app, $"trouble-{++number}", storm.Start.AddMinutes(10 + random.Next(15)), 20 + random.Next(20));
        }

        Noise(storm);
        Watchdog(storm);
        Notify(storm);
        var alerts = storm.Alerts.OrderBy(a => a.Time).Select((a, i) => a with { Id = $"c{seed}-n{i + 1:D4}" }).ToList();
        var calls = Depends.Select(d => new[] { Resource(storm, Find(d.Caller)), Resource(storm, Find(d.Callee)) }).ToList();
        return new AlertStorm($"storm-{seed:D3}", calls, alerts);
    }

    /// <summary>One trouble: its own signals, then its dependants' symptoms. Returns the app it started in.</summary>
    private static string Cause(Storm storm, Trouble trouble, string truth, DateTimeOffset begins, int minutes)
    {
        var random = storm.Random;
        App Pick(Func<App, bool> which)
        {
            var apps = Apps.Where(which).ToList();
            return apps[random.Next(apps.Count)];
        }

        switch (trouble)
        {
            case Trouble.DatabaseChoking:
            {
                var db = Pick(a => a.Engine is not null);

                // awesome-prometheus-alerts' exporter rules: 2 m for connections and slow queries, none for rollbacks and log waits.
                foreach (var (name, hold) in db.Engine == "postgres"
                    ? new[] { ("PostgresqlTooManyConnections", 2), ("PostgresqlSlowQueries", 2), ("PostgresqlHighRollbackRate", 0) }
                    : [("MysqlTooManyConnections", 2), ("MysqlSlowQueries", 2), ("MysqlInnodbLogWaits", 0)])
                {
                    var from = random.Next(0, Math.Max(1, minutes / 3));
                    Rule(storm, truth, begins.AddMinutes(from), minutes - from, hold, Exporter(db, name));
                }

                Symptoms(storm, truth, db, begins, minutes, "database");
                return Key(db);
            }

            case Trouble.CrashLooping:
            {
                // A fault while running (out of memory): two of the three running pods crash-loop; replicas are missing.
                var app = Pick(a => !a.Stateful && a.Space != "staging");
                foreach (var pod in storm.Pods[Key(app)].Take(2))
                {
                    CrashLoop(storm, truth, app, pod, begins.AddMinutes(random.Next(0, 3)), minutes);
                }

                Rule(storm, truth, begins.AddMinutes(2), minutes - 2, 15, ("alertmanager", "KubeDeploymentReplicasMismatch", Workload(app, "KubeDeploymentReplicasMismatch")));
                Symptoms(storm, truth, app, begins, minutes, "upstream");
                return Key(app);
            }

            case Trouble.DiskFilling:
            {
                // The disk has filled for an hour before the kubelet's eviction threshold; node-exporter's rules wait 1 h and 30 m.
                var machine = Machines[random.Next(Machines.Length)];
                foreach (var (name, mount, filling, hold) in new[]
                {
                    ("NodeFilesystemSpaceFillingUp", "/var/lib/kubelet", 70, 60), ("NodeFilesystemAlmostOutOfSpace", "/var/lib/kubelet", 35, 30),
                    ("NodeDiskIOSaturation", null, 32 + random.Next(4), 30),
                })
                {
                    var labels = new Dictionary<string, string>
                    {
                        ["alertname"] = name, ["instance"] = $"{machine.Address}:9100", ["job"] = "node-exporter", ["namespace"] = "monitoring",
                        ["pod"] = storm.NodeExporters[machine.Name], ["container"] = "kube-rbac-proxy", ["severity"] = "warning",
                        ["device"] = mount is null ? "nvme0n1" : "/dev/nvme0n1p1",
                    };
                    if (mount is not null)
                    {
                        (labels["mountpoint"], labels["fstype"]) = (mount, "ext4");
                    }

                    Rule(storm, truth, begins.AddMinutes(-filling), minutes + filling, hold, ("alertmanager", Summary(name, machine.Name), labels));
                }

                // The kubelet's DiskPressure condition, told by kube-state-metrics (KubeNodePressure: 10 m, severity info).
                Rule(storm, truth, begins, minutes, 10, ("alertmanager", "KubeNodePressure", new()
                {
                    ["alertname"] = "KubeNodePressure", ["node"] = machine.Name, ["condition"] = "DiskPressure", ["status"] = "true",
                    ["job"] = "kube-state-metrics", ["namespace"] = "monitoring", ["instance"] = KubeStateMetrics, ["severity"] = "info",
                }));
                foreach (var app in Apps.Where(a => a.Machine == machine.Name && !a.Stateful).Take(2))
                {
                    var pod = storm.Pods[Key(app)][random.Next(3)];
                    Send(storm, truth, begins.AddMinutes(random.Next(3)), minutes / 2, ("events", "Evicted: The node was low on resource: ephemeral-storage.",
                        new() { ["involvedObject.kind"] = "Pod", ["involvedObject.namespace"] = app.Space, ["involvedObject.name"] = pod, ["reason"] = "Evicted", ["source.host"] = machine.Name }));
                }

                return $"machine/{machine.Name}";
            }

            case Trouble.ProviderThrottling:
            {
                var gateway = Find("agents/llm-gateway");
                Rule(storm, truth, begins, minutes, 5, ("alertmanager", "LLMGatewayUpstream429",
                    new() { ["alertname"] = "LLMGatewayUpstream429", ["namespace"] = "agents", ["service"] = "llm-gateway", ["job"] = "llm-gateway", ["pod"] = storm.Pods[Key(gateway)][random.Next(3)], ["severity"] = "warning", ["provider"] = "openai" }));
                Send(storm, truth, begins.AddMinutes(2), minutes, ("tasklens", "Goal 'triage-inbox': completion rate dropped to 41% (expected 97%)",
                    new() { ["goal"] = "triage-inbox", ["service"] = "planner", ["metric"] = "completion_rate", ["detector"] = "robust-seasonal" }));
                Send(storm, truth, begins.AddMinutes(3), minutes, ("tasklens", "Goal 'triage-inbox': p95 duration rose to 48 s (expected 12 s)",
                    new() { ["goal"] = "triage-inbox", ["service"] = "planner", ["metric"] = "duration_p95", ["detector"] = "cusum" }));
                Rule(storm, truth, begins.AddMinutes(4), minutes - 4, 5, ("grafana", "Planner retries per run",
                    new() { ["alertname"] = "Planner retries per run", ["grafana_folder"] = "Agents", ["__alert_rule_uid__"] = Suffix(random, 9), ["k8s_namespace_name"] = "agents", ["k8s_deployment_name"] = "planner" }));
                Symptoms(storm, truth, gateway, begins, minutes, "provider");
                return Key(gateway);
            }

            case Trouble.BrokerBehind:
            {
                var broker = Find("platform/kafka");
                foreach (var group in new[] { "checkout-events", "ledger-sync" })
                {
                    var from = random.Next(0, 5);
                    Rule(storm, truth, begins.AddMinutes(from), minutes - from, 2, ("alertmanager", "KafkaConsumergroupLagHigh",
                        new() { ["alertname"] = "KafkaConsumergroupLagHigh", ["consumergroup"] = group, ["topic"] = "orders", ["job"] = "kafka-exporter", ["namespace"] = "platform", ["pod"] = $"kafka-{random.Next(3)}", ["container"] = "kafka-exporter", ["severity"] = "warning" }));
                }

                Rule(storm, truth, begins.AddMinutes(2), minutes - 2, 15, ("alertmanager", "KubeStatefulSetReplicasMismatch", Workload(broker, "KubeStatefulSetReplicasMismatch")));
                Symptoms(storm, truth, broker, begins, minutes, "broker");
                return Key(broker);
            }

            default:
            {
                var app = Pick(a => !a.Stateful);
                Rollout(storm, app, truth, begins, minutes);
                return Key(app);
            }
        }
    }

    /// <summary>
    /// A bad rollout. A Deployment (three replicas, the default surge of one and none unavailable) starts one pod of a new
    /// ReplicaSet (a new pod-template hash) that never becomes ready, while the old pods serve: its replicas do not go
    /// missing, and the rollout is stuck once the progress deadline (10 min) passed. A StatefulSet replaces its highest
    /// ordinal first, which then never becomes ready. The new pod crashes on the new version, or waits for a missing secret.
    /// </summary>
    private static void Rollout(Storm storm, App app, string truth, DateTimeOffset begins, int minutes)
    {
        var random = storm.Random;
        var pod = app.Stateful ? $"{app.Name}-2" : $"{app.Name}-{Suffix(random, 10)}-{Suffix(random, 5)}";
        if (random.Next(2) == 0)
        {
            CrashLoop(storm, truth, app, pod, begins.AddMinutes(1), minutes - 1);
        }
        else
        {
            Send(storm, truth, begins.AddMinutes(1), minutes - 1, ("events", $"Failed: Error: secret \"{app.Name}-config-v2\" not found",
                new() { ["involvedObject.kind"] = "Pod", ["involvedObject.namespace"] = app.Space, ["involvedObject.name"] = pod, ["reason"] = "Failed" }));
            Rule(storm, truth, begins.AddMinutes(1), minutes - 1, 60, ("alertmanager", "KubeContainerWaiting", new()
            {
                ["alertname"] = "KubeContainerWaiting", ["namespace"] = app.Space, ["pod"] = pod, ["container"] = app.Name, ["reason"] = "CreateContainerConfigError",
                ["job"] = "kube-state-metrics", ["instance"] = KubeStateMetrics, ["severity"] = "warning",
            }));
        }

        if (app.Stateful)
        {
            Rule(storm, truth, begins.AddMinutes(1), minutes - 1, 15, ("alertmanager", "KubeStatefulSetReplicasMismatch", Workload(app, "KubeStatefulSetReplicasMismatch")));
            Rule(storm, truth, begins.AddMinutes(1), minutes - 1, 15, ("alertmanager", "KubeStatefulSetUpdateNotRolledOut", Workload(app, "KubeStatefulSetUpdateNotRolledOut")));
        }
        else
        {
            var stuck = Workload(app, "KubeDeploymentRolloutStuck");
            (stuck["condition"], stuck["status"]) = ("Progressing", "false");
            Rule(storm, truth, begins.AddMinutes(10), minutes - 10, 15, ("alertmanager", "KubeDeploymentRolloutStuck", stuck));
        }
    }

    /// <summary>One pod crash-looping: the kubelet's back-off events at once, kube-prometheus's KubePodCrashLooping after 15 min.</summary>
    private static void CrashLoop(Storm storm, string truth, App app, string pod, DateTimeOffset begins, int minutes)
    {
        Rule(storm, truth, begins, minutes, 15, ("alertmanager", "KubePodCrashLooping", new()
        {
            ["alertname"] = "KubePodCrashLooping", ["namespace"] = app.Space, ["pod"] = pod, ["container"] = app.Name, ["reason"] = "CrashLoopBackOff",
            ["job"] = "kube-state-metrics", ["instance"] = KubeStateMetrics, ["severity"] = "warning",
        }));
        Send(storm, truth, begins, minutes, ("events", $"BackOff: Back-off restarting failed container {app.Name} in pod {pod}",
            new() { ["involvedObject.kind"] = "Pod", ["involvedObject.namespace"] = app.Space, ["involvedObject.name"] = pod, ["reason"] = "BackOff" }));
    }

    /// <summary>A kube-state-metrics alert about a workload: <c>deployment</c> or <c>statefulset</c> as kube-state-metrics names it.</summary>
    private static Dictionary<string, string> Workload(App app, string name) => new()
    {
        ["alertname"] = name, ["namespace"] = app.Space, [app.Stateful ? "statefulset" : "deployment"] = app.Name,
        ["job"] = "kube-state-metrics", ["instance"] = KubeStateMetrics, ["severity"] = "warning",
    };

    /// <summary>The apps that depend on <paramref name="app"/> (up to two hops) see errors and latency: told by app rules (5 m), Grafana (5 m pending), TaskLens.</summary>
    private static void Symptoms(Storm storm, string truth, App app, DateTimeOffset begins, int minutes, string why)
    {
        var random = storm.Random;
        var first = Depends.Where(d => d.Callee == Key(app)).Select(d => d.Caller).ToList();
        var second = Depends.Where(d => first.Contains(d.Callee)).Select(d => d.Caller).ToList();
        var hop = 0;
        foreach (var callers in new[] { first, second })
        {
            hop++;
            foreach (var caller in callers.Select(Find))
            {
                var at = begins.AddMinutes((hop * 3) + random.Next(0, 4));
                var rest = Math.Max(3, minutes - (hop * 3));
                switch (random.Next(4))
                {
                    case 0:
                        Rule(storm, truth, at, rest, 5, ("alertmanager", "HTTPErrorRateHigh", new()
                        {
                            ["alertname"] = "HTTPErrorRateHigh", ["namespace"] = caller.Space, ["service"] = caller.Name, ["job"] = caller.Name, ["severity"] = "critical",
                        }));
                        break;
                    case 1:
                        Rule(storm, truth, at, rest, 5, ("alertmanager", "HTTPLatencyP99High", new()
                        {
                            ["alertname"] = "HTTPLatencyP99High", ["namespace"] = caller.Space, ["pod"] = storm.Pods[Key(caller)][random.Next(3)], ["job"] = caller.Name, ["severity"] = "warning",
                        }));
                        break;
                    case 2:
                        Rule(storm, truth, at, rest, 5, ("grafana", $"{Title(caller.Telemetry)} 5xx ratio", new()
                        {
                            ["alertname"] = $"{Title(caller.Telemetry)} 5xx ratio", ["grafana_folder"] = Title(caller.Space), ["__alert_rule_uid__"] = Suffix(random, 9),
                            ["namespace"] = caller.Space, ["deployment"] = caller.Name,
                        }));
                        break;
                    default:
                        Send(storm, truth, at, rest, ("tasklens", $"Service '{caller.Telemetry}': error rate rose to {5 + random.Next(30)}% (expected 0.4%); {why} trouble",
                            new() { ["service"] = caller.Telemetry, ["metric"] = "error_rate", ["detector"] = "robust-seasonal" }));
                        break;
                }
            }
        }
    }

    /// <summary>Alerts of no incident: each its own (with its rule's <c>for:</c>); one flaps all storm long.</summary>
    private static void Noise(Storm storm)
    {
        var random = storm.Random;
        var singles = new (string Title, int Hold, Dictionary<string, string> Labels)[]
        {
            ("KubeJobFailed", 15, new() { ["alertname"] = "KubeJobFailed", ["namespace"] = "batch", ["job_name"] = $"nightly-report-{random.Next(10000, 99999)}", ["job"] = "kube-state-metrics", ["severity"] = "warning" }),
            ("CPUThrottlingHigh", 15, new() { ["alertname"] = "CPUThrottlingHigh", ["namespace"] = "catalog", ["pod"] = storm.Pods["catalog/search-api"][random.Next(3)], ["container"] = "search-api", ["severity"] = "info" }),
            ("KubePersistentVolumeFillingUp", 1, new() { ["alertname"] = "KubePersistentVolumeFillingUp", ["namespace"] = "observability", ["persistentvolumeclaim"] = "loki-data-0", ["job"] = "kubelet", ["severity"] = "critical" }),
            ("TargetDown", 10, new() { ["alertname"] = "TargetDown", ["namespace"] = "monitoring", ["job"] = "blackbox-exporter", ["service"] = "blackbox-exporter", ["severity"] = "warning" }),
            ("KubeClientCertificateExpiration", 5, new() { ["alertname"] = "KubeClientCertificateExpiration", ["job"] = "apiserver", ["severity"] = "warning" }),
            ("Backup of ledger not finished", 5, new() { ["alertname"] = "Backup of ledger not finished", ["grafana_folder"] = "Ops", ["__alert_rule_uid__"] = Suffix(random, 9) }),
            ("KubeHpaMaxedOut", 15, new() { ["alertname"] = "KubeHpaMaxedOut", ["namespace"] = "staging", ["horizontalpodautoscaler"] = "checkout-api", ["job"] = "kube-state-metrics", ["severity"] = "warning" }),
            ("NodeClockNotSynchronising", 10, new() { ["alertname"] = "NodeClockNotSynchronising", ["instance"] = $"{Machines[random.Next(3)].Address}:9100", ["job"] = "node-exporter", ["namespace"] = "monitoring", ["severity"] = "warning" }),
        };
        var count = 3 + random.Next(4);
        foreach (var (title, hold, labels) in singles.OrderBy(_ => random.Next()).Take(count))
        {
            var source = labels.ContainsKey("grafana_folder") ? "grafana" : "alertmanager";
            Rule(storm, $"noise-{title}", storm.Start.AddMinutes(random.Next(0, 60)), hold + 5 + random.Next(20), hold, (source, title, labels));
        }

        // A flapping alert: an app's scrape target goes down now and then (TargetDown, 10 m), on an app that may also be in trouble.
        var flapping = Apps[random.Next(Apps.Length)];
        var labelsOfFlap = new Dictionary<string, string> { ["alertname"] = "TargetDown", ["namespace"] = flapping.Space, ["job"] = flapping.Name, ["service"] = flapping.Name, ["severity"] = "warning" };
        for (var at = storm.Start.AddMinutes(random.Next(10)); at < storm.Start.AddMinutes(80);)
        {
            var down = 11 + random.Next(6);
            Rule(storm, "noise-flapping", at, down, 10, ("alertmanager", "TargetDown", labelsOfFlap));
            at = at.AddMinutes(down + 2 + random.Next(5));
        }
    }

    /// <summary>The always-firing Watchdog: its own route in kube-prometheus; it never resolves.</summary>
    private static void Watchdog(Storm storm) =>
        storm.Firings.Add(new RuleFiring("alertmanager", "Watchdog",
            new() { ["alertname"] = "Watchdog", ["namespace"] = "monitoring", ["prometheus"] = "monitoring/k8s", ["severity"] = "none" }, "watchdog", storm.Start, DateTimeOffset.MaxValue));

    private static (string, string, Dictionary<string, string>) Exporter(App db, string name) =>
        ("alertmanager", name, new()
        {
            ["alertname"] = name, ["namespace"] = db.Space, ["pod"] = $"{db.Name}-0", ["container"] = $"{db.Engine}-exporter",
            ["job"] = $"{db.Engine}-exporter", ["instance"] = $"{db.Name}-0.{db.Name}.{db.Space}.svc:9187", ["severity"] = "critical",
        });

    /// <summary>Resource attributes an OpenTelemetry SDK on Kubernetes sets for a pod of the app (its first running pod).</summary>
    private static Dictionary<string, string> Resource(Storm storm, App app)
    {
        var resource = new Dictionary<string, string>
        {
            ["service.name"] = app.Telemetry, ["k8s.namespace.name"] = app.Space, ["k8s.node.name"] = app.Machine,
            ["k8s.pod.name"] = storm.Pods[Key(app)][0],
        };
        resource[app.Stateful ? "k8s.statefulset.name" : "k8s.deployment.name"] = app.Name;
        return resource;
    }

    private static string Suffix(Random random, int length)
    {
        const string Letters = "bcdfghjklmnpqrstvwxz2456789";
        return string.Create(length, random, (span, r) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = Letters[r.Next(Letters.Length)];
            }
        });
    }

    private static string Summary(string name, string machine) => string.Create(CultureInfo.InvariantCulture, $"{name} on {machine}");

    private static string Title(string word) => char.ToUpperInvariant(word[0]) + word[1..];

    private static string Key(App app) => $"{app.Space}/{app.Name}";

    private static App Find(string key) => Apps.First(a => Key(a) == key);
}
