namespace TaskLens.Detection.Scoring;

/// <summary>Detected windows, false alert events and all windows; summed over series, then read as precision, recall, F1.</summary>
public readonly record struct EventScore(int DetectedWindows, int FalsePositives, int Windows, int Events)
{
    public double Precision => DetectedWindows + FalsePositives == 0 ? 0 : (double)DetectedWindows / (DetectedWindows + FalsePositives);
    public double Recall => Windows == 0 ? 0 : (double)DetectedWindows / Windows;
    public double F1 => Precision + Recall == 0 ? 0 : 2 * Precision * Recall / (Precision + Recall);

    public static EventScore operator +(EventScore a, EventScore b) =>
        new(a.DetectedWindows + b.DetectedWindows, a.FalsePositives + b.FalsePositives, a.Windows + b.Windows, a.Events + b.Events);
}
