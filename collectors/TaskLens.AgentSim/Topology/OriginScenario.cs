using System.Globalization;

namespace TaskLens.AgentSim.Topology;

/// <summary>
/// One incident with a known origin over a random <see cref="ServiceTopology"/>: which fault is injected where and when,
/// and the distractors — one to three services outside the fault with trouble of their own (an error burst in their
/// telemetry, or alerts of kinds telemetry does not show), at random times around the fault's start, some before it.
/// The origin is known from this definition only: nothing the simulator sends names it as such. Minutes are relative
/// to the fault's start (0); the simulator plays <see cref="HistoryMinutes"/> of normal traffic before it.
/// </summary>
internal sealed class OriginScenario
{
    public static readonly string[] Kinds = ["failing-dependency", "bad-deploy", "agent-loop", "throttled-model-provider", "slow-database", "noisy-neighbour"];

    private static readonly string[] DatabaseErrors =
    [
        "53300: sorry, too many clients already", "could not extend file \"base/16384/2619\": No space left on device",
        "40001: could not serialize access due to concurrent update", "57P01: terminating connection due to administrator command",
    ];

    private static readonly string[] CacheErrors = ["READONLY You can't write against a read only replica.", "OOM command not allowed when used memory > 'maxmemory'."];

    private static readonly string[] DeployErrors =
    [
        "System.NullReferenceException: Object reference not set to an instance of an object.",
        "System.InvalidOperationException: Sequence contains no elements",
        "System.FormatException: The input string 'n/a' was not in a correct format.",
        "System.Collections.Generic.KeyNotFoundException: The given key 'currency' was not present in the dictionary.",
    ];

    private static readonly string[] DistractorErrors =
    [
        "SMTP 421 4.7.0 Try again later, closing connection", "disk quota exceeded writing /var/lib/archive/segment-{0}",
        "LDAP bind failed: invalid credentials for cn=sync,dc=corp", "artifact upload failed: 507 Insufficient Storage",
    ];

    private static readonly (string Name, string Summary)[] DistractorKinds =
    [
        ("DiskUsageHigh", "disk usage above 90% on /var"), ("CertificateExpiresSoon", "TLS certificate expires in 6 days"),
        ("NodeMemoryPressure", "memory pressure on its node"), ("PodRestarting", "container restarted 3 times in 10 minutes"),
    ];

    private OriginScenario(string kind, int seed, ServiceTopology topology)
    {
        Kind = kind;
        Seed = seed;
        Topology = topology;
    }

    public string Kind { get; }
    public int Seed { get; }
    public ServiceTopology Topology { get; }

    /// <summary>Where the fault was injected: a service, or the goal for an agent loop (the ground truth).</summary>
    public string Origin { get; private set; } = "";

    public int HistoryMinutes { get; init; } = 45;
    public int FaultMinutes { get; init; } = 15;

    public List<ServiceFault> Faults { get; } = [];

    /// <summary>A new version of the origin starts at this minute (a bad deploy).</summary>
    public (double At, string Version)? Deploy { get; private set; }

    /// <summary>From this minute the batch service runs this many jobs a minute (normally two).</summary>
    public (double From, int JobsPerMinute)? BatchSurge { get; private set; }

    /// <summary>From this minute this share of the agent's goal runs loop on a tool call.</summary>
    public (double From, double Share)? Loop { get; private set; }

    /// <summary>From this minute this share of the gateway's calls to the hosted model are answered 429.</summary>
    public (double From, double Share)? Throttle { get; private set; }

    public List<string> Distractors { get; } = [];
    public List<DistractorAlert> DistractorAlerts { get; } = [];

    /// <summary>The scenario of <paramref name="kind"/> (one of <see cref="Kinds"/>) for <paramref name="seed"/>; the same pair always gives the same scenario.</summary>
    public static OriginScenario Create(string kind, int seed)
    {
        var index = Array.IndexOf(Kinds, kind);
        if (index < 0)
        {
            throw new ArgumentException($"unknown scenario kind '{kind}' (one of {string.Join(", ", Kinds)})", nameof(kind));
        }

        var random = new Random((seed * 7919) + index);
        var s = new OriginScenario(kind, seed, ServiceTopology.Create(random));
        var t = s.Topology;
        string Pick(IReadOnlyList<string> names) => names[random.Next(names.Count)];
        double Between(double low, double high) => low + (random.NextDouble() * (high - low));
        switch (kind)
        {
            case "failing-dependency":
                s.Origin = random.NextDouble() < 0.6 ? Pick(t.Databases) : t.Cache;
                s.Faults.Add(new ServiceFault(s.Origin, 0, 99, Between(0.3, 0.7), 1, Pick(t[s.Origin].Tier == ServiceTier.Cache ? CacheErrors : DatabaseErrors)));
                break;
            case "bad-deploy":
                s.Origin = Pick(t.Business);
                var deployAt = -Between(0.3, 1.5);
                s.Deploy = (deployAt, NextVersion(t[s.Origin].Version));
                s.Faults.Add(new ServiceFault(s.Origin, deployAt, 99, Between(0.15, 0.45), Between(1, 1.6), Pick(DeployErrors)));
                break;
            case "agent-loop":
                s.Origin = t.Goal;
                s.Loop = (0, Between(0.5, 0.9));
                break;
            case "throttled-model-provider":
                s.Origin = t.Gateway;
                s.Throttle = (0, Between(0.35, 0.7));
                break;
            case "slow-database":
                s.Origin = Pick(t.Databases);
                s.Faults.Add(new ServiceFault(s.Origin, 0, 99, 0, Between(8, 40), null));
                break;
            default: // noisy neighbour: the batch service floods the database it shares; contention slows that database.
                s.Origin = t.Batch;
                s.BatchSurge = (-Between(0.5, 2), 25 + random.Next(25));
                break;
        }

        foreach (var distractor in t.Unrelated.OrderBy(_ => random.Next()).Take(1 + random.Next(3)))
        {
            s.Distractors.Add(distractor);
            var at = Between(-4, 8);
            if (random.NextDouble() < 0.5)
            {
                var message = string.Format(CultureInfo.InvariantCulture, DistractorErrors[random.Next(DistractorErrors.Length)], random.Next(1000));
                s.Faults.Add(new ServiceFault(distractor, at, at + Between(3, 8), Between(0.5, 0.9), 1, message));
            }
            else
            {
                // Some flap: the same kind of trouble alerting again a few minutes later under a second rule name.
                foreach (var (name, summary) in DistractorKinds.OrderBy(_ => random.Next()).Take(random.NextDouble() < 0.4 ? 2 + random.Next(2) : 1))
                {
                    s.DistractorAlerts.Add(new DistractorAlert(distractor, name, at, $"{distractor}: {summary}"));
                    at += Between(0.5, 3);
                }
            }
        }

        return s;
    }

    /// <summary>
    /// The services (and the goal) the fault can reach, for the evaluation's bookkeeping (never sent): where it is injected,
    /// the services it loads (a batch job's database; a looping agent's gateway, tool service and what that calls; a
    /// throttled agent's retries), and every service calling those, directly or not, since trouble travels from callee to
    /// caller; the goal when its agent is among them. An alert on any other service is not the fault's, whatever its time.
    /// </summary>
    public IReadOnlySet<string> Reach()
    {
        var t = Topology;
        var reached = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<string>();
        void Add(string service)
        {
            if (reached.Add(service))
            {
                queue.Enqueue(service);
            }
        }

        switch (Kind)
        {
            case "agent-loop":
                Add(t.Agent);
                Add(t.Gateway);
                Add(t.Business[0]);
                foreach (var (callee, _) in t.CallsOf(t.Business[0]))
                {
                    Add(callee);
                }

                break;
            case "throttled-model-provider":
                Add(t.Gateway);
                Add(t.Agent);
                break;
            case "noisy-neighbour":
                Add(t.Batch);
                Add(t.Databases[0]);
                break;
            default:
                Add(Origin);
                break;
        }

        while (queue.TryDequeue(out var service))
        {
            foreach (var caller in t.CallersOf(service))
            {
                Add(caller);
            }
        }

        if (reached.Contains(t.Agent))
        {
            reached.Add(t.Goal);
        }

        return reached;
    }

    /// <summary>The faults active in <paramref name="service"/> at <paramref name="minute"/>.</summary>
    public IEnumerable<ServiceFault> FaultsOf(string service, double minute) => Faults.Where(f => f.Service == service && f.ActiveAt(minute));

    /// <summary>The version <paramref name="service"/> runs at <paramref name="minute"/>.</summary>
    public string VersionOf(string service, double minute) =>
        Deploy is { } d && service == Origin && minute >= d.At ? d.Version : Topology[service].Version;

    private static string NextVersion(string version)
    {
        var parts = version.Split('.');
        return string.Create(CultureInfo.InvariantCulture, $"{parts[0]}.{int.Parse(parts[1], CultureInfo.InvariantCulture) + 1}.0");
    }
}
