namespace TaskLens.AgentSim.Topology;

/// <summary>
/// What the simulator emitted, per service and minute (server spans: requests, failures, durations) and per minute of
/// the goal (runs, failed runs, cost): the figures a metrics system would hold, for <see cref="AlertRules"/>.
/// </summary>
internal sealed class SimFigures
{
    private readonly Dictionary<(string Service, int Minute), ServiceMinute> _services = [];
    private readonly Dictionary<int, GoalMinute> _goal = [];

    public ServiceMinute Of(string service, int minute) =>
        _services.TryGetValue((service, minute), out var f) ? f : _services[(service, minute)] = new ServiceMinute();

    public GoalMinute Goal(int minute) => _goal.TryGetValue(minute, out var f) ? f : _goal[minute] = new GoalMinute();

    internal sealed class ServiceMinute
    {
        public int Requests { get; set; }
        public int Errors { get; set; }
        public List<double> DurationsMs { get; } = [];

        public double P95Ms
        {
            get
            {
                if (DurationsMs.Count == 0)
                {
                    return 0;
                }

                var sorted = DurationsMs.Order().ToList();
                return sorted[(int)Math.Ceiling(0.95 * sorted.Count) - 1];
            }
        }
    }

    internal sealed class GoalMinute
    {
        public int Runs { get; set; }
        public int Failed { get; set; }
        public double Cost { get; set; }
    }
}
