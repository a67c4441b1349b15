namespace TaskLens.Core.Goals;

/// <summary>
/// A finished run unlike its goal's usual runs: the model's score and the threshold it passed, and the reason in words
/// — the figure furthest from the goal's usual (its median), e.g. "called tools 12× more than usual (48, usually 4)".
/// </summary>
public sealed record RunOutlier(string RunId, string GoalName, double Score, double Threshold, string Feature, double Ratio, string Reason);
