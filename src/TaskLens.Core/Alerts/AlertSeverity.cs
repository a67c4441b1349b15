namespace TaskLens.Core.Alerts;

public enum AlertSeverity
{
    /// <summary>Context only: recorded, never paged.</summary>
    Info = 1,
    Warning = 2,
    Critical = 3,
}
