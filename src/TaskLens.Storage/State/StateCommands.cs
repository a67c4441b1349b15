using System.Data.Common;
using System.Globalization;

namespace TaskLens.Storage.State;

/// <summary>
/// Parameters the way both engines take them: <c>@name</c> in the SQL (Microsoft.Data.Sqlite and Npgsql both bind
/// it), values as text, 64-bit integers or null.
/// </summary>
internal static class StateCommands
{
    public static DbCommand Command(this DbConnection connection, string sql, DbTransaction? transaction = null)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    public static DbCommand Bind(this DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value switch
        {
            null => DBNull.Value,
            int i => (long)i,
            bool b => b ? 1L : 0L,
            _ => value,
        };
        command.Parameters.Add(parameter);
        return command;
    }

    public static async Task<long> ScalarInt64Async(this DbCommand command, CancellationToken cancellationToken) =>
        Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) ?? 0L, CultureInfo.InvariantCulture);
}
