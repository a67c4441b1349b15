using System.Globalization;

namespace TaskLens.AgentSim;

/// <summary>Command-line settings of the simulator.</summary>
internal sealed record SimOptions(Uri Endpoint, bool Http, int Goals, int FanOut, double ErrorRate, int Seed)
{
    public const string Usage = """
        TaskLens.AgentSim — sends simulated agent goals to an OTLP endpoint.
          --endpoint URL    OTLP endpoint (default http://127.0.0.1:4317, or http://127.0.0.1:4318 with --http)
          --http            OTLP/HTTP protobuf instead of gRPC
          --goals N         goal runs to send (default 3)
          --fanout N        sub-tasks per goal run, sent as one burst (default 200)
          --error-rate X    share of sub-tasks that fail, 0..1 (default 0.02)
          --seed N          random seed (default 1)
        """;

    public static SimOptions? Parse(string[] args)
    {
        Uri? endpoint = null;
        var http = false;
        int goals = 3, fanOut = 200, seed = 1;
        var errorRate = 0.02;
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--endpoint": endpoint = new Uri(Next()); break;
                case "--http": http = true; break;
                case "--goals": goals = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--fanout": fanOut = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--error-rate": errorRate = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--seed": seed = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--help" or "-h": return null;
                default: throw new ArgumentException($"unknown option {args[i]}");
            }
        }

        endpoint ??= new Uri(http ? "http://127.0.0.1:4318/v1/traces" : "http://127.0.0.1:4317");
        return new SimOptions(endpoint, http, goals, fanOut, errorRate, seed);
    }
}
