namespace TaskLens.UnitTests.Detection;

/// <summary>Deterministic test series at five-minute steps: a level, optional daily sine, Gaussian noise from a fixed seed.</summary>
internal static class SyntheticSeries
{
    public static readonly DateTimeOffset T0 = new(2026, 1, 5, 0, 0, 0, TimeSpan.Zero);

    public const int PointsPerDay = 288;

    public static DateTimeOffset At(int i) => T0.AddMinutes(5 * i);

    public static double[] Create(int points, double level, double noise, double dailyAmplitude = 0, int seed = 7)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, points).Select(i =>
        {
            // Box-Muller: a normal sample from two uniform ones.
            var gaussian = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            return level + (dailyAmplitude * Math.Sin(2 * Math.PI * i / PointsPerDay)) + (noise * gaussian);
        }).ToArray();
    }

    /// <summary>Every anomaly the detector raises over the series, with the position it was raised at.</summary>
    public static List<(int Position, TaskLens.Detection.Anomaly Anomaly)> Run(TaskLens.Detection.IAnomalyDetector detector, double[] values) =>
        values.Select((v, i) => (i, detector.Observe(At(i), v)))
            .Where(p => p.Item2 is not null)
            .Select(p => (p.i, p.Item2!))
            .ToList();
}
