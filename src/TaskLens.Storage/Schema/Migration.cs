namespace TaskLens.Storage.Schema;

/// <summary>
/// One ordered, idempotent schema step. <paramref name="MinServerMajor"/>/<paramref name="MinServerMinor"/> gate
/// steps that need a newer ClickHouse than the oldest supported (18.16): such a step is skipped, and not recorded,
/// until the server is upgraded, so an upgraded server picks it up at the next start.
/// </summary>
internal sealed record Migration(
    int Id,
    string Name,
    IReadOnlyList<string> Statements,
    int MinServerMajor = 0,
    int MinServerMinor = 0);
