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

    /// <summary>
    /// A PostgreSQL connection string (Npgsql's keywords: <c>Host=…;Port=…;Database=…;Username=…;Password=…</c>); when
    /// set, state lives there instead of <see cref="Path"/>, shared by every node pointed at it.
    /// </summary>
    public string? Postgres { get; set; }

    /// <summary>How long a write waits for another writer's lock before it fails.</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Path))
        {
            errors.Add("Path must name a database file.");
        }

        if (!string.IsNullOrWhiteSpace(Postgres))
        {
            try
            {
                var builder = new Npgsql.NpgsqlConnectionStringBuilder(Postgres);
                if (string.IsNullOrWhiteSpace(builder.Host) || string.IsNullOrWhiteSpace(builder.Database))
                {
                    errors.Add("Postgres must name a Host and a Database.");
                }
            }
            catch (ArgumentException e)
            {
                // The message names the keyword, never the value (the string holds a password).
                errors.Add("Postgres is not a valid connection string: " + e.Message);
            }
        }

        if (BusyTimeout <= TimeSpan.Zero || BusyTimeout > TimeSpan.FromMinutes(1))
        {
            errors.Add("BusyTimeout must be between 0 and 1 minute.");
        }

        return errors;
    }
}
