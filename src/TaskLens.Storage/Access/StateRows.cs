using System.Globalization;
using Microsoft.Data.Sqlite;

namespace TaskLens.Storage.Access;

/// <summary>How the access stores write and read times and nullable text in SQLite (ISO 8601 UTC text).</summary>
internal static class StateRows
{
    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    public static object TimeOrNull(DateTimeOffset? at) => at is { } t ? Time(t) : DBNull.Value;

    public static DateTimeOffset ReadTime(SqliteDataReader row, int ordinal) =>
        DateTimeOffset.Parse(row.GetString(ordinal), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    public static DateTimeOffset? ReadTimeOrNull(SqliteDataReader row, int ordinal) => row.IsDBNull(ordinal) ? null : ReadTime(row, ordinal);

    public static string? ReadTextOrNull(SqliteDataReader row, int ordinal) => row.IsDBNull(ordinal) ? null : row.GetString(ordinal);
}
