using System.Diagnostics;
using System.Globalization;
using OpenTelemetry.Trace;

namespace TaskLens.AgentSim.Topology;

/// <summary>
/// Plays an <see cref="OriginScenario"/> as the spans its services would emit, each service (and version) through a
/// tracer provider of its own, so its resource says who it is: edge requests fanning out through business services to
/// databases and a cache, agent goal runs calling the model gateway and a business service, batch jobs, and the
/// unrelated services' own traffic. Faults are injected only where the scenario says; everything else follows from the
/// calls: a failing callee fails a share of its callers' requests, a slow one slows them and past a client timeout
/// fails them, and a database or the gateway slows down under load (a minute later, as contention builds). Span times
/// are explicit, so <see cref="OriginScenario.HistoryMinutes"/> of history play in seconds.
/// </summary>
internal sealed class TopologySimulator : IDisposable
{
    private const string Model = "gpt-4o";
    private const double DbTimeoutMs = 2000;
    private const double HttpTimeoutMs = 5000;

    private readonly OriginScenario _scenario;
    private readonly ServiceTopology _topology;
    private readonly DateTimeOffset _faultStart;
    private readonly Random _random;
    private readonly Dictionary<(string Service, string Version), ActivitySource> _sources = [];
    private readonly List<TracerProvider> _providers = [];
    private readonly Dictionary<string, double> _baselineLoad = new(StringComparer.Ordinal);

    /// <param name="faultStart">The wall-clock time of the fault's start (minute 0).</param>
    /// <param name="providers">Makes the tracer provider of one service and version listening to the source named.</param>
    public TopologySimulator(OriginScenario scenario, DateTimeOffset faultStart, Func<string, string, string, TracerProvider> providers)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(providers);
        _scenario = scenario;
        _topology = scenario.Topology;
        _faultStart = faultStart;
        _random = new Random((scenario.Seed * 104_729) + Array.IndexOf(OriginScenario.Kinds, scenario.Kind) + 1);
        var prefix = "tasklens.agentsim." + Guid.NewGuid().ToString("N")[..8];
        foreach (var service in _topology.Services)
        {
            var versions = new[] { service.Version, scenario.VersionOf(service.Name, 1e9) }.Distinct(StringComparer.Ordinal);
            foreach (var version in versions)
            {
                var name = $"{prefix}.{service.Name}.{version}";
                _providers.Add(providers(service.Name, version, name));
                _sources[(service.Name, version)] = new ActivitySource(name, version);
            }
        }
    }

    public SimFigures Figures { get; } = new();
    public long SpansEmitted { get; private set; }

    /// <summary>Plays every minute from the history's start to the end of the fault window.</summary>
    public void Run()
    {
        for (var minute = -_scenario.HistoryMinutes; minute < _scenario.FaultMinutes; minute++)
        {
            PlayMinute(minute);
        }
    }

    /// <summary>Exports everything emitted; false when an exporter did not confirm in time.</summary>
    public bool Flush(int timeoutMilliseconds) => _providers.All(p => p.ForceFlush(timeoutMilliseconds));

    public void Dispose()
    {
        foreach (var provider in _providers)
        {
            provider.Dispose();
        }

        foreach (var source in _sources.Values)
        {
            source.Dispose();
        }
    }

    private void PlayMinute(int minute)
    {
        if (minute == -_scenario.HistoryMinutes + 10)
        {
            // The load each service normally serves, for contention: the first ten minutes are normal in every scenario.
            foreach (var service in _topology.Services)
            {
                _baselineLoad[service.Name] = Enumerable.Range(-_scenario.HistoryMinutes, 10).Average(m => Figures.Of(service.Name, m).Requests);
            }
        }

        var roots = new List<(double At, Action<double> Play)>();
        void Schedule(int count, Action<double> play)
        {
            for (var i = 0; i < count; i++)
            {
                roots.Add((minute + _random.NextDouble(), play));
            }
        }

        foreach (var edge in _topology.Edges)
        {
            Schedule(6 + _random.Next(3), at => Root(edge, Endpoint(edge), at));
        }

        Schedule(2 + _random.Next(2), AgentRun);
        Schedule(_scenario.BatchSurge is { } surge && minute >= surge.From ? surge.JobsPerMinute : 2, BatchJob);
        foreach (var unrelated in _topology.Unrelated)
        {
            Schedule(8, at => Root(unrelated, "POST /jobs", at));
        }

        foreach (var (at, play) in roots.OrderBy(r => r.At))
        {
            Activity.Current = null;
            play(at);
        }
    }

    private static string Endpoint(string edge) => edge switch
    {
        "web" => "GET /",
        "mobile-api" => "GET /v2/home",
        "partner-api" => "POST /partner/orders",
        _ => "GET /api/items",
    };

    private void Root(string service, string operation, double minute) => Serve(service, operation, default, At(minute), minute);

    /// <summary>One request served by <paramref name="service"/>: its own work, its calls, and whether it failed.</summary>
    private (DateTimeOffset End, bool Failed, string? Message) Serve(string service, string operation, ActivityContext parent, DateTimeOffset start, double minute)
    {
        var own = _topology[service].LatencyMs * Jitter() * Contention(service, minute);
        var failed = false;
        string? message = null;
        foreach (var fault in _scenario.FaultsOf(service, minute))
        {
            own *= fault.LatencyFactor;
            if (fault.ErrorRate > 0 && _random.NextDouble() < fault.ErrorRate)
            {
                (failed, message) = (true, fault.Message);
            }
        }

        using var span = Start(service, minute, operation, ActivityKind.Server, parent, start);
        var t = start.AddMilliseconds(own * 0.3);
        if (!failed)
        {
            foreach (var (callee, share) in _topology.CallsOf(service))
            {
                if (_topology[service].Tier is ServiceTier.Agent || _random.NextDouble() >= share)
                {
                    continue;
                }

                var (end, calleeFailed, _) = Call(service, callee, span.Context, t, minute);
                t = end;
                if (calleeFailed && _random.NextDouble() < 0.85)
                {
                    failed = true;
                    break;
                }
            }
        }

        t = t.AddMilliseconds(own * 0.7);
        if (failed)
        {
            span.SetStatus(ActivityStatusCode.Error, message);
        }

        span.SetEndTime(t.UtcDateTime);
        Record(service, minute, start, t, failed);
        return (t, failed, message);
    }

    /// <summary>A client call from <paramref name="caller"/> to <paramref name="callee"/>, as its instrumentation records it.</summary>
    private (DateTimeOffset End, bool Failed, string? Message) Call(string caller, string callee, ActivityContext parent, DateTimeOffset start, double minute)
    {
        var tier = _topology[callee].Tier;
        var address = Address(callee);
        var (name, operation, timeout) = tier switch
        {
            ServiceTier.Database => ("SELECT", "query", DbTimeoutMs),
            ServiceTier.Cache => ("GET", "GET", DbTimeoutMs),
            _ => ("POST", "POST /api/" + caller, HttpTimeoutMs),
        };
        using var client = Start(caller, minute, name, ActivityKind.Client, parent, start);
        if (tier is ServiceTier.Database or ServiceTier.Cache)
        {
            client.SetTag("db.system.name", tier == ServiceTier.Database ? "postgresql" : "redis");
            client.SetTag("server.address", address);
        }
        else
        {
            client.SetTag("http.request.method", "POST");
            client.SetTag("url.full", $"http://{address}:8080/api/{caller}");
        }

        var (end, failed, message) = Serve(callee, operation, client.Context, start.AddMilliseconds(0.2), minute);
        if ((end - start).TotalMilliseconds > timeout)
        {
            (end, failed) = (start.AddMilliseconds(timeout), true);
            message = tier is ServiceTier.Database or ServiceTier.Cache
                ? "Timeout during reading attempt"
                : string.Create(CultureInfo.InvariantCulture, $"The request was canceled due to the configured HttpClient.Timeout of {timeout / 1000:0} seconds elapsing.");
        }
        else
        {
            end = end.AddMilliseconds(0.2);

            // A database's error reaches its client as the exception's message; an HTTP 500 carries none.
            message = tier is ServiceTier.Database or ServiceTier.Cache ? message : null;
            if (tier is not ServiceTier.Database and not ServiceTier.Cache)
            {
                client.SetTag("http.response.status_code", failed ? 500L : 200L);
            }
        }

        if (failed)
        {
            client.SetStatus(ActivityStatusCode.Error, message);
        }

        client.SetEndTime(end.UtcDateTime);
        return (end, failed, message);
    }

    /// <summary>One goal run of the agent: LLM calls through the gateway and tool calls to a business service.</summary>
    private void AgentRun(double minute)
    {
        var agent = _topology.Agent;
        var start = At(minute);
        using var root = Start(agent, minute, "invoke_agent " + _topology.Goal, ActivityKind.Server, default, start);
        root.SetTag("gen_ai.operation.name", "invoke_agent");
        root.SetTag("gen_ai.agent.name", _topology.Goal);
        var loops = _scenario.Loop is { } loop && minute >= loop.From && _random.NextDouble() < loop.Share;
        var steps = 5 + _random.Next(2) + (loops ? 2 * (12 + _random.Next(10)) : 0);
        var t = start.AddMilliseconds(_topology[agent].LatencyMs * Jitter());
        string? failure = null;
        double cost = 0;
        for (var step = 0; step < steps && failure is null; step++)
        {
            if (step % 2 == 0)
            {
                bool ok;
                (t, ok, var stepCost) = Chat(root.Context, t, minute);
                cost += stepCost;
                failure = ok ? null : "LLM call failed after 3 attempts";
            }
            else
            {
                var tool = loops && step > 4 ? "web_search" : "lookup_order";
                using var call = Start(agent, minute, "execute_tool " + tool, ActivityKind.Internal, root.Context, t);
                call.SetTag("gen_ai.operation.name", "execute_tool");
                call.SetTag("gen_ai.tool.name", tool);
                var (end, failed, _) = Call(agent, _topology.Business[0], call.Context, t.AddMilliseconds(0.1), minute);
                if (failed)
                {
                    call.SetStatus(ActivityStatusCode.Error, "tool call failed");
                    failure = _random.NextDouble() < 0.5 ? "tool " + tool + " failed" : null;
                }

                t = end.AddMilliseconds(0.1);
                call.SetEndTime(t.UtcDateTime);
            }
        }

        if (failure is null && loops && _random.NextDouble() < 0.5)
        {
            failure = "agent stopped: iteration limit reached";
        }

        if (failure is not null)
        {
            root.SetStatus(ActivityStatusCode.Error, failure);
        }

        t = t.AddMilliseconds(2);
        root.SetEndTime(t.UtcDateTime);
        Record(agent, minute, start, t, failure is not null);
        var goal = Figures.Goal(Minute(minute));
        goal.Runs++;
        goal.Failed += failure is null ? 0 : 1;
        goal.Cost += cost;
    }

    /// <summary>An LLM call with up to three attempts when the gateway answers 429. Returns when it ended, whether it succeeded and its cost.</summary>
    private (DateTimeOffset End, bool Ok, double Cost) Chat(ActivityContext parent, DateTimeOffset start, double minute)
    {
        var agent = _topology.Agent;
        var gateway = _topology.Gateway;
        var t = start;
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            using var chat = Start(agent, minute, "chat " + Model, ActivityKind.Client, parent, t);
            chat.SetTag("gen_ai.operation.name", "chat");
            chat.SetTag("gen_ai.provider.name", "openai");
            chat.SetTag("gen_ai.request.model", Model);
            chat.SetTag("server.address", Address(gateway));
            var throttled = _scenario.Throttle is { } th && minute >= th.From && _random.NextDouble() < th.Share;
            var served = t.AddMilliseconds(0.3);
            using (var inbound = Start(gateway, minute, "POST /v1/chat/completions", ActivityKind.Server, chat.Context, served))
            {
                var upstreamMs = throttled ? 20 + (_random.NextDouble() * 30) : _topology[gateway].LatencyMs * Jitter() * Contention(gateway, minute);
                using (var upstream = Start(gateway, minute, "POST", ActivityKind.Client, inbound.Context, served.AddMilliseconds(1)))
                {
                    upstream.SetTag("http.request.method", "POST");
                    upstream.SetTag("url.full", "https://api.openai.com/v1/chat/completions");
                    upstream.SetTag("http.response.status_code", throttled ? 429L : 200L);
                    if (throttled)
                    {
                        upstream.SetStatus(ActivityStatusCode.Error, "429 Too Many Requests: Rate limit reached for " + Model + " on tokens per min");
                    }

                    upstream.SetEndTime(served.AddMilliseconds(1 + upstreamMs).UtcDateTime);
                }

                // A 4xx answer leaves a server span's status unset (OpenTelemetry's HTTP semantic conventions).
                inbound.SetTag("http.response.status_code", throttled ? 429L : 200L);
                served = served.AddMilliseconds(2 + upstreamMs);
                inbound.SetEndTime(served.UtcDateTime);
                Record(gateway, minute, t, served, throttled);
            }

            t = served.AddMilliseconds(0.3);
            if (throttled)
            {
                chat.SetTag("error.type", "429");
                chat.SetStatus(ActivityStatusCode.Error, "429 Too Many Requests");
                chat.SetEndTime(t.UtcDateTime);
                t = t.AddMilliseconds(500 * attempt);
                continue;
            }

            long input = 600 + _random.Next(1900), output = 80 + _random.Next(420);
            chat.SetTag("gen_ai.response.model", Model);
            chat.SetTag("gen_ai.usage.input_tokens", input);
            chat.SetTag("gen_ai.usage.output_tokens", output);
            chat.SetEndTime(t.UtcDateTime);
            return (t, true, (input * 2.5e-6) + (output * 10e-6));
        }

        return (t, false, 0);
    }

    /// <summary>A batch job: a few heavy queries on the database the batch service shares.</summary>
    private void BatchJob(double minute)
    {
        var batch = _topology.Batch;
        var start = At(minute);
        using var root = Start(batch, minute, "run report", ActivityKind.Server, default, start);
        var t = start.AddMilliseconds(_topology[batch].LatencyMs * Jitter());
        var failed = false;
        for (var i = 0; i < 4; i++)
        {
            var (end, queryFailed, _) = Call(batch, _topology.Databases[0], root.Context, t, minute);
            failed |= queryFailed;
            t = end.AddMilliseconds(1);
        }

        if (failed)
        {
            root.SetStatus(ActivityStatusCode.Error, "report query failed");
        }

        root.SetEndTime(t.UtcDateTime);
        Record(batch, minute, start, t, failed);
    }

    /// <summary>
    /// How much slower a database or the gateway serves at <paramref name="minute"/> for the load of the minute before:
    /// a queue at utilisation load ÷ capacity (three times the normal load), relative to normal.
    /// </summary>
    private double Contention(string service, double minute)
    {
        if (_topology[service].Tier is not (ServiceTier.Database or ServiceTier.ModelGateway) || !_baselineLoad.TryGetValue(service, out var normal) || normal <= 0)
        {
            return 1;
        }

        var utilisation = Figures.Of(service, Minute(minute) - 1).Requests / (3 * normal);
        return (1 - (1.0 / 3)) / Math.Max(0.05, 1 - utilisation) is var f && f > 1 ? f : 1;
    }

    private Activity Start(string service, double minute, string name, ActivityKind kind, ActivityContext parent, DateTimeOffset start)
    {
        SpansEmitted++;
        var source = _sources[(service, _scenario.VersionOf(service, minute))];
        return source.StartActivity(name, kind, parent, tags: null, links: null, startTime: start)
            ?? throw new InvalidOperationException($"no tracer provider listens to {source.Name}");
    }

    private void Record(string service, double minute, DateTimeOffset start, DateTimeOffset end, bool failed)
    {
        var figures = Figures.Of(service, Minute(minute));
        figures.Requests++;
        figures.Errors += failed ? 1 : 0;
        figures.DurationsMs.Add((end - start).TotalMilliseconds);
    }

    private DateTimeOffset At(double minute) => _faultStart.AddMinutes(minute);

    private static int Minute(double minute) => (int)Math.Floor(minute);

    /// <summary>A service's address as its callers' instrumentation records it (an IP, as most clients see it).</summary>
    private static string Address(string service)
    {
        var hash = 2166136261u;
        foreach (var c in service)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return string.Create(CultureInfo.InvariantCulture, $"10.{hash % 200}.{(hash >> 8) % 250}.{(hash >> 16) % 250}");
    }

    /// <summary>A request's own time varies around its service's: mostly near, now and then much slower.</summary>
    private double Jitter() => _random.NextDouble() < 0.05 ? 2 + (_random.NextDouble() * 2) : 0.6 + (_random.NextDouble() * 0.8);
}
