namespace TaskLens.Storage.State;

/// <summary>
/// Where app state lives: users, keys, tokens, Slack message references — small rows changed with compare-and-set,
/// unlike telemetry, so they live in a relational store rather than ClickHouse (DESIGN.md).
/// </summary>
public sealed class StateOptions
{
    public const string SectionName = "TaskLens:State";

    /// <summary>The embedded SQLite database file; relative paths are under the content root.</summary>
    public string Path { get; set; } = ".tasklens/state.db";

    /// <summary>How long a write waits for another writer's lock before it fails.</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Path))
        {
            errors.Add("Path must name a database file.");
        }

        if (BusyTimeout <= TimeSpan.Zero || BusyTimeout > TimeSpan.FromMinutes(1))
        {
            errors.Add("BusyTimeout must be between 0 and 1 minute.");
        }

        return errors;
    }
}
