using System.Globalization;

namespace TaskLens.AgentSim;

/// <summary>How goal runs are sent: all at once, or at a steady rate for a while.</summary>
internal enum SimMode
{
    Burst,
    Steady,
}

/// <summary>Command-line settings of the simulator; every rate is a share between 0 and 1.</summary>
internal sealed record SimOptions
{
    public const string Usage = """
        TaskLens.AgentSim — sends simulated agent goal runs to an OTLP endpoint.
          --endpoint URL       OTLP endpoint (default http://127.0.0.1:4317, or http://127.0.0.1:4318/v1/traces with --http)
          --http               OTLP/HTTP protobuf instead of gRPC
          --key KEY            ingest key, sent as Authorization: Bearer KEY
          --mode burst|steady  burst: send --goals runs at once (default); steady: --rate runs per second for --duration
          --goals N            goal runs in burst mode (default 3)
          --rate R             goal runs per second in steady mode (default 2)
          --duration S         seconds of steady mode (default 10)
          --fanout N           sub-tasks per goal run, emitted in one burst (default 200; 5000 and more are fine)
          --depth N            levels of agents calling agents under each goal (default 1: no sub-agents)
          --error-rate X       share of sub-tasks that fail (default 0.02)
          --throttle-rate X    share of LLM calls answered 429 and retried (default 0.05)
          --runaway-rate X     share of goal runs that loop on one tool call ten times over (default 0)
          --seed N             random seed (default 1)
          --scenario KIND      instead of goal runs: one incident over a service topology (edges, business services,
                               databases, a cache, an agent, a model gateway, a batch job), 45 minutes of history then
                               15 of fault, ending now; KIND is failing-dependency, bad-deploy, agent-loop,
                               throttled-model-provider, slow-database or noisy-neighbour (docs/briefs.md)
          --alerts URL         with --scenario: post the monitoring's alerts to this Alertmanager webhook
                               (e.g. http://127.0.0.1:8080/api/alerts/alertmanager)
          --alert-token T      alert token sent with them (Authorization: Bearer T)
        """;

    public Uri Endpoint { get; init; } = new("http://127.0.0.1:4317");
    public bool Http { get; init; }
    public string? Key { get; init; }
    public SimMode Mode { get; init; } = SimMode.Burst;
    public int Goals { get; init; } = 3;
    public double Rate { get; init; } = 2;
    public double DurationSeconds { get; init; } = 10;
    public int FanOut { get; init; } = 200;
    public int Depth { get; init; } = 1;
    public double ErrorRate { get; init; } = 0.02;
    public double ThrottleRate { get; init; } = 0.05;
    public double RunawayRate { get; init; }
    public int Seed { get; init; } = 1;
    public string? Scenario { get; init; }
    public Uri? AlertsUrl { get; init; }
    public string? AlertToken { get; init; }

    /// <summary>The settings, or null when help was asked for; throws <see cref="ArgumentException"/> on bad input.</summary>
    public static SimOptions? Parse(string[] args)
    {
        var options = new SimOptions();
        Uri? endpoint = null;
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Int() => int.Parse(Next(), CultureInfo.InvariantCulture);
            double Share()
            {
                var value = double.Parse(Next(), CultureInfo.InvariantCulture);
                return value is >= 0 and <= 1 ? value : throw new ArgumentException($"{args[i - 1]} must be between 0 and 1");
            }

            options = args[i] switch
            {
                "--endpoint" => options with { Endpoint = endpoint = new Uri(Next()) },
                "--http" => options with { Http = true },
                "--key" => options with { Key = Next() },
                "--mode" => options with { Mode = Enum.Parse<SimMode>(Next(), ignoreCase: true) },
                "--goals" => options with { Goals = Int() },
                "--rate" => options with { Rate = double.Parse(Next(), CultureInfo.InvariantCulture) },
                "--duration" => options with { DurationSeconds = double.Parse(Next(), CultureInfo.InvariantCulture) },
                "--fanout" => options with { FanOut = Int() },
                "--depth" => options with { Depth = Math.Max(1, Int()) },
                "--error-rate" => options with { ErrorRate = Share() },
                "--throttle-rate" => options with { ThrottleRate = Share() },
                "--runaway-rate" => options with { RunawayRate = Share() },
                "--seed" => options with { Seed = Int() },
                "--scenario" => options with { Scenario = Next() is var kind && Topology.OriginScenario.Kinds.Contains(kind) ? kind : throw new ArgumentException($"--scenario is one of {string.Join(", ", Topology.OriginScenario.Kinds)}") },
                "--alerts" => options with { AlertsUrl = new Uri(Next()) },
                "--alert-token" => options with { AlertToken = Next() },
                "--help" or "-h" => null,
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
            if (options is null)
            {
                return null;
            }
        }

        return endpoint is null && options.Http ? options with { Endpoint = new Uri("http://127.0.0.1:4318/v1/traces") } : options;
    }
}
