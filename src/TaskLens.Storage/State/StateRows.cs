using System.Data.Common;
using System.Globalization;

namespace TaskLens.Storage.State;

/// <summary>
/// How the state stores write and read values the same way in SQLite and PostgreSQL: times as ISO 8601 UTC text
/// (access) or unix seconds (incidents, alerts), integers at 64 bits, name lists as separated text.
/// </summary>
internal static class StateRows
{
    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    public static object TimeOrNull(DateTimeOffset? at) => at is { } t ? Time(t) : DBNull.Value;

    public static DateTimeOffset ReadTime(DbDataReader row, int ordinal) =>
        DateTimeOffset.Parse(row.GetString(ordinal), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    public static DateTimeOffset? ReadTimeOrNull(DbDataReader row, int ordinal) => row.IsDBNull(ordinal) ? null : ReadTime(row, ordinal);

    /// <summary>An integer column as 64 bits, whichever width the engine hands back.</summary>
    public static long ReadInt64(DbDataReader row, int ordinal) => Convert.ToInt64(row.GetValue(ordinal), CultureInfo.InvariantCulture);

    public static DateTimeOffset ReadSeconds(DbDataReader row, int ordinal) => DateTimeOffset.FromUnixTimeSeconds(ReadInt64(row, ordinal));

    public static DateTimeOffset? ReadSecondsOrNull(DbDataReader row, int ordinal) => row.IsDBNull(ordinal) ? null : ReadSeconds(row, ordinal);

    public static object SecondsOrNull(DateTimeOffset? at) => at is { } t ? t.ToUnixTimeSeconds() : DBNull.Value;

    /// <summary>
    /// Names in one text column, each between two unit separators (U+001F), so one is found by searching for it
    /// between separators (<see cref="Contains"/>); a separator inside a name is dropped.
    /// </summary>
    public static string Names(IEnumerable<string> names) =>
        "\u001f" + string.Concat(names.Select(n => n.Replace("\u001f", "", StringComparison.Ordinal) + "\u001f"));

    public static IReadOnlyList<string> ReadNames(DbDataReader row, int ordinal) =>
        row.GetString(ordinal).Split('\u001f', StringSplitOptions.RemoveEmptyEntries);

    public static string NameNeedle(string name) => "\u001f" + name.Replace("\u001f", "", StringComparison.Ordinal) + "\u001f";

    /// <summary>SQL that is true when <paramref name="column"/> holds <paramref name="parameter"/> (a <see cref="NameNeedle"/>).</summary>
    public static string Contains(StateDialect dialect, string column, string parameter) =>
        dialect == StateDialect.Postgres ? $"strpos({column}, {parameter}) > 0" : $"instr({column}, {parameter}) > 0";

    public static string? ReadTextOrNull(DbDataReader row, int ordinal) => row.IsDBNull(ordinal) ? null : row.GetString(ordinal);
}
