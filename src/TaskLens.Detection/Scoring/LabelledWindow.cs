namespace TaskLens.Detection.Scoring;

/// <summary>A labelled anomaly window of a series, both ends inclusive.</summary>
public readonly record struct LabelledWindow(DateTimeOffset Start, DateTimeOffset End);
