using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Trace;
using TaskLens.AgentSim.Topology;

namespace TaskLens.UnitTests.AgentSim;

/// <summary>
/// One <see cref="OriginScenario"/> played by the real simulator into tracer providers that keep what they export in
/// memory (the OpenTelemetry SDK's own export path), with each span's service and version, and the alerts its
/// monitoring raised.
/// </summary>
internal sealed class SimulatedScenario
{
    public static readonly DateTimeOffset FaultStart = new(2026, 11, 30, 3, 0, 0, TimeSpan.Zero);

    private SimulatedScenario(OriginScenario scenario, List<(string Service, string Version, Activity Span)> spans, IReadOnlyList<SimAlert> alerts)
    {
        Scenario = scenario;
        Spans = spans;
        Alerts = alerts;
    }

    public OriginScenario Scenario { get; }
    public List<(string Service, string Version, Activity Span)> Spans { get; }
    public IReadOnlyList<SimAlert> Alerts { get; }

    public static SimulatedScenario Play(string kind, int seed)
    {
        var scenario = OriginScenario.Create(kind, seed);
        var spans = new List<(string, string, Activity)>();
        using var simulator = new TopologySimulator(scenario, FaultStart, (service, version, source) =>
            Sdk.CreateTracerProviderBuilder().AddSource(source).SetSampler(new AlwaysOnSampler())
                .AddProcessor(new SimpleActivityExportProcessor(new Collector(spans, service, version))).Build()!);
        simulator.Run();
        Assert.True(simulator.Flush(10_000));
        Assert.Equal(simulator.SpansEmitted, spans.Count);
        return new SimulatedScenario(scenario, spans, AlertRules.Evaluate(scenario, simulator.Figures, FaultStart));
    }

    /// <summary>The minute (relative to the fault's start) a span started in.</summary>
    public static int MinuteOf(Activity span) => (int)Math.Floor((new DateTimeOffset(span.StartTimeUtc, TimeSpan.Zero) - FaultStart).TotalMinutes);

    private sealed class Collector(List<(string, string, Activity)> spans, string service, string version) : BaseExporter<Activity>
    {
        public override ExportResult Export(in Batch<Activity> batch)
        {
            lock (spans)
            {
                foreach (var span in batch)
                {
                    spans.Add((service, version, span));
                }
            }

            return ExportResult.Success;
        }
    }
}
