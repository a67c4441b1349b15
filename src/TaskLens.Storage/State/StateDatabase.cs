using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace TaskLens.Storage.State;

/// <summary>
/// The embedded SQLite database of app state. Hands out open connections (one per unit of work: SQLite connections are
/// cheap and pooled) and applies every registered <see cref="StateSchema"/> once at start.
/// </summary>
/// <remarks>
/// Write-ahead logging lets the dashboard read while a triage change writes. Compare-and-set is done by the stores
/// themselves (<c>UPDATE … WHERE version = $expected</c> and a check of the rows changed), which SQLite and PostgreSQL
/// both serve, so a PostgreSQL store can implement the same ports later.
/// </remarks>
public sealed class StateDatabase
{
    private readonly string _connectionString;
    private readonly IReadOnlyList<StateSchema> _schemas;
    private readonly int _busyTimeoutMs;

    public StateDatabase(IOptions<StateOptions> options, IHostEnvironment environment, IEnumerable<StateSchema> schemas)
        : this(Path.GetFullPath(options.Value.Path, environment.ContentRootPath), options.Value.BusyTimeout, schemas)
    {
    }

    internal StateDatabase(string path, TimeSpan busyTimeout, IEnumerable<StateSchema> schemas)
    {
        FilePath = path;
        _busyTimeoutMs = (int)busyTimeout.TotalMilliseconds;
        _schemas = schemas.ToList();
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = Math.Max(1, _busyTimeoutMs / 1000),
        }.ToString();
    }

    /// <summary>The database file.</summary>
    public string FilePath { get; }

    /// <summary>An open connection with the busy timeout and foreign keys set; dispose it when the unit of work ends.</summary>
    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var pragma = connection.CreateCommand();
            pragma.CommandText = $"PRAGMA busy_timeout = {_busyTimeoutMs}; PRAGMA foreign_keys = ON;";
            await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Creates the file if needed and runs every schema statement not yet run; returns how many ran.</summary>
    public async Task<int> MigrateAsync(CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(FilePath);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (var setup = connection.CreateCommand())
        {
            // WAL is a property of the file: set once, it holds for every later connection.
            setup.CommandText = """
                PRAGMA journal_mode = WAL;
                CREATE TABLE IF NOT EXISTS state_migrations (
                    owner      TEXT    NOT NULL,
                    step       INTEGER NOT NULL,
                    applied_at TEXT    NOT NULL,
                    PRIMARY KEY (owner, step));
                """;
            await setup.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var applied = 0;
        foreach (var schema in _schemas)
        {
            for (var step = 0; step < schema.Statements.Count; step++)
            {
                await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await using var check = connection.CreateCommand();
                check.Transaction = transaction;
                check.CommandText = "SELECT count(*) FROM state_migrations WHERE owner = $owner AND step = $step";
                check.Parameters.AddWithValue("$owner", schema.Owner);
                check.Parameters.AddWithValue("$step", step);
                if (Convert.ToInt64(await check.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture) > 0)
                {
                    continue;
                }

                await using var run = connection.CreateCommand();
                run.Transaction = transaction;
                run.CommandText = schema.Statements[step];
                await run.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);

                await using var record = connection.CreateCommand();
                record.Transaction = transaction;
                record.CommandText = "INSERT INTO state_migrations (owner, step, applied_at) VALUES ($owner, $step, $at)";
                record.Parameters.AddWithValue("$owner", schema.Owner);
                record.Parameters.AddWithValue("$step", step);
                record.Parameters.AddWithValue("$at", DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
                await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                applied++;
            }
        }

        return applied;
    }
}
