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
/// them — kube-prometheus rules over kube-state-metrics and node-exporter, database exporters, Grafana-managed rules,
/// Kubernetes events through the events API, TaskLens's own series — with Alertmanager's repeat notifications and
/// resolves, a flapping alert, slow troubles that last close to an hour, two unrelated troubles on one app at once,
/// and the always-firing Watchdog. The model's words (app, machine, trouble) are its own: the labels are rendered as
/// the tools write them, not in the terms the correlator reads.
/// </summary>
internal static class ClusterStormCorpus
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    private sealed record App(string Space, string Name, bool Stateful, string Telemetry, string Machine, string? Engine = null);

    private sealed record Machine(string Name, string Address);

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

    private sealed class Storm(Random random, DateTimeOffset start, int number)
    {
        public Random Random { get; } = random;
        public DateTimeOffset Start { get; } = start;
        public int Number { get; } = number;
        public List<StormAlert> Alerts { get; } = [];
    }

    /// <summary>
    /// Writes <c>choose/</c> (seeds 1..<paramref name="choosing"/>), <c>held-out/</c> (seeds 101..: held out at first, but
    /// looked at before one setting was fixed, so "seen") and <c>fresh/</c> (seeds 201..: generated before the correlator
    /// changes that followed, the part reported) storms.
    /// </summary>
    public static void Generate(string directory, int choosing = 6, int heldOut = 8, int fresh = 10)
    {
        foreach (var (part, first, count) in new[] { ("choose", 1, choosing), ("held-out", 101, heldOut), ("fresh", 201, fresh) })
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

    private static AlertStorm Scenario(int seed)
    {
        var storm = new Storm(new Random(seed * 7919), new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero).AddHours(seed * 3), seed);
        var random = storm.Random;
        var troubles = Enum.GetValues<Trouble>().OrderBy(_ => random.Next()).Take(2 + random.Next(3)).ToList();
        var number = 0;
        var hurt = new List<string>();
        foreach (var trouble in troubles)
        {
            number++;
            var begins = storm.Start.AddMinutes(random.Next(0, 25));
            var slow = random.Next(3) == 0; // a slow burn: close to an hour, with quiet stretches
            var minutes = slow ? 40 + random.Next(20) : 8 + random.Next(15);
            hurt.Add(Cause(storm, trouble, $"trouble-{number}", begins, minutes, slow));
        }

        // Two unrelated troubles on one app at once: a bad rollout of an app already hurt by another trouble.
        if (random.Next(2) == 0 && hurt.Count > 0)
        {
            // A machine's trouble hurts the apps on it: its first evicted app (no extra draw, so older seeds stay as they were).
            var hurtOne = hurt[random.Next(hurt.Count)];
            var app = hurtOne.StartsWith("machine/", StringComparison.Ordinal)
                ? Apps.First(a => a.Machine == hurtOne["machine/".Length..] && !a.Stateful)
                : Find(hurtOne);
            Rollout(storm, app, $"trouble-{++number}", storm.Start.AddMinutes(10 + random.Next(15)), 10 + random.Next(10));
        }

        Noise(storm);
        Watchdog(storm);
        var alerts = storm.Alerts.OrderBy(a => a.Time).Select((a, i) => a with { Id = $"c{seed}-n{i + 1:D4}" }).ToList();
        var calls = Depends.Select(d => new[] { Resource(Find(d.Caller)), Resource(Find(d.Callee)) }).ToList();
        return new AlertStorm($"storm-{seed:D3}", calls, alerts);
    }

    /// <summary>One trouble: its own signals, then its dependants' symptoms. Returns the app it started in.</summary>
    private static string Cause(Storm storm, Trouble trouble, string truth, DateTimeOffset begins, int minutes, bool slow)
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
                foreach (var name in db.Engine == "postgres"
                    ? new[] { "PostgresqlTooManyConnections", "PostgresqlSlowQueries", "PostgresqlHighRollbackRate" }
                    : ["MysqlTooManyConnections", "MysqlSlowQueries", "MysqlInnodbLogWaits"])
                {
                    Fire(storm, truth, begins.AddMinutes(random.Next(0, Math.Max(1, minutes / 3))), minutes, slow, Exporter(db, name));
                }

                Symptoms(storm, truth, db, begins, minutes, slow, "database");
                return Key(db);
            }

            case Trouble.CrashLooping:
            {
                var app = Pick(a => !a.Stateful && a.Space != "staging");
                CrashLoop(storm, truth, app, begins, minutes, slow, "OOMKilled");
                Symptoms(storm, truth, app, begins, minutes, slow, "upstream");
                return Key(app);
            }

            case Trouble.DiskFilling:
            {
                var machine = Machines[random.Next(Machines.Length)];
                foreach (var (name, mount) in new[] { ("NodeFilesystemSpaceFillingUp", "/var/lib/kubelet"), ("NodeFilesystemAlmostOutOfSpace", "/var/lib/kubelet"), ("NodeDiskIOSaturation", null) })
                {
                    var labels = new Dictionary<string, string>
                    {
                        ["alertname"] = name, ["instance"] = $"{machine.Address}:9100", ["job"] = "node-exporter", ["namespace"] = "monitoring",
                        ["pod"] = $"node-exporter-{Suffix(random, 5)}", ["container"] = "kube-rbac-proxy", ["severity"] = "warning",
                        ["device"] = mount is null ? "nvme0n1" : "/dev/nvme0n1p1",
                    };
                    if (mount is not null)
                    {
                        (labels["mountpoint"], labels["fstype"]) = (mount, "ext4");
                    }

                    Fire(storm, truth, begins.AddMinutes(random.Next(0, 4)), minutes, slow, ("alertmanager", Summary(name, machine.Name), labels));
                }

                Fire(storm, truth, begins.AddMinutes(minutes / 2), minutes / 2, slow, ("alertmanager", "KubeNodeNotReady",
                    new() { ["alertname"] = "KubeNodeNotReady", ["node"] = machine.Name, ["job"] = "kube-state-metrics", ["namespace"] = "monitoring", ["severity"] = "warning", ["condition"] = "DiskPressure" }));
                foreach (var app in Apps.Where(a => a.Machine == machine.Name && !a.Stateful).Take(2))
                {
                    Fire(storm, truth, begins.AddMinutes((minutes / 2) + random.Next(3)), minutes / 2, slow, ("events", $"Evicted: The node was low on resource: ephemeral-storage.",
                        new() { ["involvedObject.kind"] = "Pod", ["involvedObject.namespace"] = app.Space, ["involvedObject.name"] = PodName(random, app), ["reason"] = "Evicted", ["source.host"] = machine.Name }));
                }

                return $"machine/{machine.Name}";
            }

            case Trouble.ProviderThrottling:
            {
                var gateway = Find("agents/llm-gateway");
                Fire(storm, truth, begins, minutes, slow, ("alertmanager", "LLMGatewayUpstream429",
                    new() { ["alertname"] = "LLMGatewayUpstream429", ["namespace"] = "agents", ["service"] = "llm-gateway", ["job"] = "llm-gateway", ["pod"] = PodName(random, gateway), ["severity"] = "warning", ["provider"] = "openai" }));
                Fire(storm, truth, begins.AddMinutes(2), minutes, slow, ("tasklens", "Goal 'triage-inbox': completion rate dropped to 41% (expected 97%)",
                    new() { ["goal"] = "triage-inbox", ["service"] = "planner", ["metric"] = "completion_rate", ["detector"] = "robust-seasonal" }));
                Fire(storm, truth, begins.AddMinutes(3), minutes, slow, ("tasklens", "Goal 'triage-inbox': p95 duration rose to 48 s (expected 12 s)",
                    new() { ["goal"] = "triage-inbox", ["service"] = "planner", ["metric"] = "duration_p95", ["detector"] = "cusum" }));
                Fire(storm, truth, begins.AddMinutes(4), minutes, slow, ("grafana", "Planner retries per run",
                    new() { ["alertname"] = "Planner retries per run", ["grafana_folder"] = "Agents", ["__alert_rule_uid__"] = Suffix(random, 9), ["k8s_namespace_name"] = "agents", ["k8s_deployment_name"] = "planner" }));
                Symptoms(storm, truth, gateway, begins, minutes, slow, "provider");
                return Key(gateway);
            }

            case Trouble.BrokerBehind:
            {
                var broker = Find("platform/kafka");
                foreach (var group in new[] { "checkout-events", "ledger-sync" })
                {
                    Fire(storm, truth, begins.AddMinutes(random.Next(0, 5)), minutes, slow, ("alertmanager", "KafkaConsumergroupLagHigh",
                        new() { ["alertname"] = "KafkaConsumergroupLagHigh", ["consumergroup"] = group, ["topic"] = "orders", ["job"] = "kafka-exporter", ["namespace"] = "platform", ["pod"] = $"kafka-{random.Next(3)}", ["container"] = "kafka-exporter", ["severity"] = "warning" }));
                }

                Fire(storm, truth, begins.AddMinutes(2), minutes, slow, ("alertmanager", "KubeStatefulSetReplicasMismatch",
                    new() { ["alertname"] = "KubeStatefulSetReplicasMismatch", ["namespace"] = "platform", ["statefulset"] = "kafka", ["job"] = "kube-state-metrics", ["severity"] = "warning", ["instance"] = "10.2.0.7:8080" }));
                Symptoms(storm, truth, broker, begins, minutes, slow, "broker");
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

    /// <summary>A bad rollout: the new replica set's pods crash on a config error; replicas mismatch.</summary>
    private static void Rollout(Storm storm, App app, string truth, DateTimeOffset begins, int minutes)
    {
        CrashLoop(storm, truth, app, begins, minutes, slow: false, "CreateContainerConfigError");
        Fire(storm, truth, begins.AddMinutes(1), minutes, false, ("events", $"Failed: Error: secret \"{app.Name}-config-v2\" not found",
            new() { ["involvedObject.kind"] = "Pod", ["involvedObject.namespace"] = app.Space, ["involvedObject.name"] = PodName(storm.Random, app), ["reason"] = "Failed" }));
    }

    private static void CrashLoop(Storm storm, string truth, App app, DateTimeOffset begins, int minutes, bool slow, string reason)
    {
        var random = storm.Random;
        for (var pod = 0; pod < 2; pod++)
        {
            var name = PodName(random, app);
            Fire(storm, truth, begins.AddMinutes(random.Next(0, 3)), minutes, slow, ("alertmanager", "KubePodCrashLooping",
                new() { ["alertname"] = "KubePodCrashLooping", ["namespace"] = app.Space, ["pod"] = name, ["container"] = app.Name, ["job"] = "kube-state-metrics", ["instance"] = "10.2.0.7:8080", ["severity"] = "warning", ["reason"] = reason }));
            Fire(storm, truth, begins.AddMinutes(random.Next(0, 3)), minutes, slow, ("events", $"BackOff: Back-off restarting failed container {app.Name} in pod {name}",
                new() { ["involvedObject.kind"] = "Pod", ["involvedObject.namespace"] = app.Space, ["involvedObject.name"] = name, ["reason"] = "BackOff" }));
        }

        Fire(storm, truth, begins.AddMinutes(5), minutes - 5, slow, ("alertmanager", "KubeDeploymentReplicasMismatch",
            new() { ["alertname"] = "KubeDeploymentReplicasMismatch", ["namespace"] = app.Space, ["deployment"] = app.Name, ["job"] = "kube-state-metrics", ["instance"] = "10.2.0.7:8080", ["severity"] = "warning" }));
    }

    /// <summary>The apps that depend on <paramref name="app"/> (up to two hops) see errors and latency: told by app rules, Grafana, TaskLens.</summary>
    private static void Symptoms(Storm storm, string truth, App app, DateTimeOffset begins, int minutes, bool slow, string why)
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
                        Fire(storm, truth, at, rest, slow, ("alertmanager", "HTTPErrorRateHigh", new()
                        {
                            ["alertname"] = "HTTPErrorRateHigh", ["namespace"] = caller.Space, ["service"] = caller.Name, ["job"] = caller.Name, ["severity"] = "critical",
                        }));
                        break;
                    case 1:
                        Fire(storm, truth, at, rest, slow, ("alertmanager", "HTTPLatencyP99High", new()
                        {
                            ["alertname"] = "HTTPLatencyP99High", ["namespace"] = caller.Space, ["pod"] = PodName(random, caller), ["job"] = caller.Name, ["severity"] = "warning",
                        }));
                        break;
                    case 2:
                        Fire(storm, truth, at, rest, slow, ("grafana", $"{Title(caller.Telemetry)} 5xx ratio", new()
                        {
                            ["alertname"] = $"{Title(caller.Telemetry)} 5xx ratio", ["grafana_folder"] = Title(caller.Space), ["__alert_rule_uid__"] = Suffix(random, 9),
                            ["namespace"] = caller.Space, ["deployment"] = caller.Name,
                        }));
                        break;
                    default:
                        Fire(storm, truth, at, rest, slow, ("tasklens", $"Service '{caller.Telemetry}': error rate rose to {5 + random.Next(30)}% (expected 0.4%); {why} trouble",
                            new() { ["service"] = caller.Telemetry, ["metric"] = "error_rate", ["detector"] = "robust-seasonal" }));
                        break;
                }
            }
        }
    }

    /// <summary>Alerts of no incident: each its own; one flaps all storm long.</summary>
    private static void Noise(Storm storm)
    {
        var random = storm.Random;
        var singles = new (string Title, Dictionary<string, string> Labels)[]
        {
            ("KubeJobFailed", new() { ["alertname"] = "KubeJobFailed", ["namespace"] = "batch", ["job_name"] = $"nightly-report-{random.Next(10000, 99999)}", ["job"] = "kube-state-metrics", ["severity"] = "warning" }),
            ("CPUThrottlingHigh", new() { ["alertname"] = "CPUThrottlingHigh", ["namespace"] = "catalog", ["pod"] = PodName(random, Find("catalog/search-api")), ["container"] = "search-api", ["severity"] = "info" }),
            ("KubePersistentVolumeFillingUp", new() { ["alertname"] = "KubePersistentVolumeFillingUp", ["namespace"] = "observability", ["persistentvolumeclaim"] = "loki-data-0", ["job"] = "kubelet", ["severity"] = "warning" }),
            ("TargetDown", new() { ["alertname"] = "TargetDown", ["namespace"] = "monitoring", ["job"] = "blackbox-exporter", ["service"] = "blackbox-exporter", ["severity"] = "warning" }),
            ("KubeClientCertificateExpiration", new() { ["alertname"] = "KubeClientCertificateExpiration", ["job"] = "apiserver", ["severity"] = "warning" }),
            ("Backup of ledger not finished", new() { ["alertname"] = "Backup of ledger not finished", ["grafana_folder"] = "Ops", ["__alert_rule_uid__"] = Suffix(random, 9) }),
            ("KubeHpaMaxedOut", new() { ["alertname"] = "KubeHpaMaxedOut", ["namespace"] = "staging", ["horizontalpodautoscaler"] = "checkout-api", ["job"] = "kube-state-metrics", ["severity"] = "warning" }),
            ("NodeClockNotSynchronising", new() { ["alertname"] = "NodeClockNotSynchronising", ["instance"] = $"{Machines[random.Next(3)].Address}:9100", ["job"] = "node-exporter", ["namespace"] = "monitoring", ["severity"] = "warning" }),
        };
        var count = 3 + random.Next(4);
        foreach (var (title, labels) in singles.OrderBy(_ => random.Next()).Take(count))
        {
            Fire(storm, $"noise-{title}", storm.Start.AddMinutes(random.Next(0, 60)), 5 + random.Next(20), false, ("alertmanager", title, labels));
        }

        // A flapping alert: fires and resolves again and again on an app that may also be in trouble.
        var flapping = Apps[random.Next(Apps.Length)];
        var labelsOfFlap = new Dictionary<string, string> { ["alertname"] = "KubeContainerWaiting", ["namespace"] = flapping.Space, ["pod"] = PodName(random, flapping), ["container"] = "istio-proxy", ["job"] = "kube-state-metrics", ["severity"] = "warning" };
        for (var at = storm.Start.AddMinutes(random.Next(10)); at < storm.Start.AddMinutes(80); at = at.AddMinutes(6 + random.Next(8)))
        {
            Fire(storm, "noise-flapping", at, 2, false, ("alertmanager", "KubeContainerWaiting", labelsOfFlap));
        }
    }

    /// <summary>The always-firing Watchdog, re-notified all storm long.</summary>
    private static void Watchdog(Storm storm) =>
        Fire(storm, "watchdog", storm.Start, 90, false, ("alertmanager", "Watchdog",
            new() { ["alertname"] = "Watchdog", ["namespace"] = "monitoring", ["prometheus"] = "monitoring/k8s", ["severity"] = "none" }));

    /// <summary>
    /// One alert: fires at <paramref name="at"/>, re-notified every five minutes (Alertmanager's group interval) while it
    /// lasts — a slow burn goes quiet for a while in between — then resolved.
    /// </summary>
    private static void Fire(Storm storm, string truth, DateTimeOffset at, int minutes, bool slow, (string Source, string Title, Dictionary<string, string> Labels) alert)
    {
        var random = storm.Random;
        var end = at.AddMinutes(Math.Max(1, minutes));
        var time = at.AddSeconds(random.Next(0, 60));
        while (time < end)
        {
            storm.Alerts.Add(new StormAlert("", alert.Source, "firing", time, alert.Title, new Dictionary<string, string>(alert.Labels), truth));
            time = time.AddMinutes(slow && random.Next(4) == 0 ? 12 + random.Next(6) : 5);
        }

        storm.Alerts.Add(new StormAlert("", alert.Source, "resolved", end, alert.Title, new Dictionary<string, string>(alert.Labels), truth));
    }

    private static (string, string, Dictionary<string, string>) Exporter(App db, string name) =>
        ("alertmanager", name, new()
        {
            ["alertname"] = name, ["namespace"] = db.Space, ["pod"] = $"{db.Name}-0", ["container"] = $"{db.Engine}-exporter",
            ["job"] = $"{db.Engine}-exporter", ["instance"] = $"{db.Name}-0.{db.Name}.{db.Space}.svc:9187", ["severity"] = "critical",
        });

    /// <summary>Resource attributes an OpenTelemetry SDK on Kubernetes sets for a pod of the app.</summary>
    private static Dictionary<string, string> Resource(App app)
    {
        var resource = new Dictionary<string, string>
        {
            ["service.name"] = app.Telemetry, ["k8s.namespace.name"] = app.Space, ["k8s.node.name"] = app.Machine,
            ["k8s.pod.name"] = app.Stateful ? $"{app.Name}-0" : $"{app.Name}-5d8f7c9b6d-q2x7k",
        };
        resource[app.Stateful ? "k8s.statefulset.name" : "k8s.deployment.name"] = app.Name;
        return resource;
    }

    private static string PodName(Random random, App app) =>
        app.Stateful ? $"{app.Name}-{random.Next(3)}" : $"{app.Name}-{Suffix(random, 10)}-{Suffix(random, 5)}";

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
