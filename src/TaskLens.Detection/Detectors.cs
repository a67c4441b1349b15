namespace TaskLens.Detection;

/// <summary>The detectors by name, as the CLI and the benchmark ask for them; one fresh instance per series.</summary>
public static class Detectors
{
    public const string Default = "combined";

    public static IReadOnlyList<string> Names { get; } = ["combined", "spectral-residual", "robust-seasonal", "cusum", "rolling-3sigma"];

    /// <summary>A new detector for one series, or null for an unknown name.</summary>
    public static IAnomalyDetector? Create(string name, SeriesKind kind = SeriesKind.Any) => name switch
    {
        "combined" => new CombinedDetector(kind),
        "spectral-residual" => new SpectralResidualDetector(),
        "robust-seasonal" => new RobustSeasonalDetector(),
        "cusum" => new CusumDetector(),
        "rolling-3sigma" => new RollingSigmaDetector(),
        _ => null,
    };

}
