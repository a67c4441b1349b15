using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;

namespace TaskLens.Storage.State;

/// <summary>
/// The relational database of app state: the embedded SQLite file by default, or PostgreSQL when
/// <see cref="StateOptions.Postgres"/> is set (several nodes share it). Hands out open connections (one per unit of
/// work: both providers pool them) and applies every registered <see cref="StateSchema"/> once at start.
/// </summary>
/// <remarks>
/// Compare-and-set is done by the stores themselves (<c>UPDATE … WHERE version = @expected</c> and a check of the rows
/// changed), which both engines serve. SQLite runs with write-ahead logging, so the dashboard reads while a triage
/// change writes.
/// </remarks>
public sealed class StateDatabase : IAsyncDisposable
{
    /// <summary>The advisory lock nodes take while they migrate one PostgreSQL database (any fixed number).</summary>
    private const long MigrationLock = 0x7461736b6c656e73;

    private readonly string _sqliteConnectionString = "";
    private readonly NpgsqlDataSource? _postgres;
    private readonly IReadOnlyList<StateSchema> _schemas;
    private readonly int _busyTimeoutMs;

    public StateDatabase(IOptions<StateOptions> options, IHostEnvironment environment, IEnumerable<StateSchema> schemas)
        : this(options.Value.Postgres is { Length: > 0 } postgres ? postgres : null,
            options.Value.Postgres is { Length: > 0 } ? "" : Path.GetFullPath(options.Value.Path, environment.ContentRootPath),
            options.Value.BusyTimeout,
            schemas)
    {
    }

    /// <summary>The embedded SQLite database in <paramref name="path"/>.</summary>
    internal StateDatabase(string path, TimeSpan busyTimeout, IEnumerable<StateSchema> schemas)
        : this(null, path, busyTimeout, schemas)
    {
    }

    private StateDatabase(string? postgres, string path, TimeSpan busyTimeout, IEnumerable<StateSchema> schemas)
    {
        _busyTimeoutMs = (int)busyTimeout.TotalMilliseconds;
        _schemas = schemas.ToList();
        if (postgres is not null)
        {
            Dialect = StateDialect.Postgres;
            var builder = new NpgsqlConnectionStringBuilder(postgres);
            if (!builder.ContainsKey("Timeout"))
            {
                builder.Timeout = Math.Max(1, _busyTimeoutMs / 1000);
            }

            _postgres = NpgsqlDataSource.Create(builder);
            Location = $"PostgreSQL {builder.Host}:{builder.Port}/{builder.Database}";
            return;
        }

        Dialect = StateDialect.Sqlite;
        FilePath = path;
        Location = path;
        _sqliteConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = Math.Max(1, _busyTimeoutMs / 1000),
        }.ToString();
    }

    /// <summary>A PostgreSQL database, for tests and the one-shot commands.</summary>
    internal static StateDatabase ForPostgres(string connectionString, TimeSpan busyTimeout, IEnumerable<StateSchema> schemas) =>
        new(connectionString, "", busyTimeout, schemas);

    public StateDialect Dialect { get; }

    /// <summary>The SQLite database file; empty with PostgreSQL.</summary>
    public string FilePath { get; } = "";

    /// <summary>Where the state lives, for logs and messages: the file, or the server and database (never the password).</summary>
    public string Location { get; }

    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>An open connection (SQLite: with the busy timeout and foreign keys set); dispose it when the unit of work ends.</summary>
    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (_postgres is not null)
        {
            return await _postgres.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }

        var connection = new SqliteConnection(_sqliteConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var pragma = connection.Command($"PRAGMA busy_timeout = {_busyTimeoutMs}; PRAGMA foreign_keys = ON;");
            await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// A transaction that takes the write lock at once (SQLite's BEGIN IMMEDIATE), so a compare-and-set inside it
    /// cannot be overtaken between its read and its write; PostgreSQL's row locks do the same per row.
    /// </summary>
    public static async Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return connection is SqliteConnection sqlite
            ? sqlite.BeginTransaction(deferred: false)
            : await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs a compare-and-set change (<paramref name="change"/>, in a write transaction) together with a write to
    /// ClickHouse (<paramref name="alongside"/>: timeline entries, alert events) so that a change that loses or fails
    /// leaves neither. On PostgreSQL the ClickHouse write runs inside the transaction, before its commit: row locks make
    /// only writers of the same rows wait, and a loser writes nothing to ClickHouse. On SQLite, which locks the whole
    /// file, other stores (Slack, access) must not wait on ClickHouse: the change is tried and rolled back (a loser stops
    /// there), the ClickHouse write made, then the change made for good — with one node no other writer comes between,
    /// and a change whose commit fails is made again under the same versions, which ClickHouse's readers fold.
    /// </summary>
    public async Task WriteAsync(Func<DbConnection, DbTransaction, Task> change, Func<Task> alongside, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(alongside);
        if (Dialect == StateDialect.Sqlite)
        {
            await using var trial = await OpenAsync(cancellationToken).ConfigureAwait(false);
            await using (var attempt = await BeginWriteAsync(trial, cancellationToken).ConfigureAwait(false))
            {
                await change(trial, attempt).ConfigureAwait(false);
                await attempt.RollbackAsync(cancellationToken).ConfigureAwait(false);
            }

            await alongside().ConfigureAwait(false);
        }

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        await change(connection, transaction).ConfigureAwait(false);
        if (Dialect == StateDialect.Postgres)
        {
            await alongside().ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
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
        if (Dialect == StateDialect.Postgres)
        {
            // Two nodes starting together: the second waits here, then finds every step recorded.
            await using var lockCommand = connection.Command($"SELECT pg_advisory_lock({MigrationLock})");
            await lockCommand.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            return await MigrateAsync(connection, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (Dialect == StateDialect.Postgres)
            {
                await using var unlock = connection.Command($"SELECT pg_advisory_unlock({MigrationLock})");
                await unlock.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private async Task<int> MigrateAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using (var setup = connection.Command(
            // WAL is a property of the file: set once, it holds for every later connection.
            (Dialect == StateDialect.Sqlite ? "PRAGMA journal_mode = WAL;\n" : "") + """
                CREATE TABLE IF NOT EXISTS state_migrations (
                    owner      TEXT    NOT NULL,
                    step       INTEGER NOT NULL,
                    applied_at TEXT    NOT NULL,
                    PRIMARY KEY (owner, step));
                """))
        {
            await setup.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var applied = 0;
        foreach (var schema in _schemas)
        {
            var statements = schema.For(Dialect);
            for (var step = 0; step < statements.Count; step++)
            {
                await using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
                await using var check = connection.Command("SELECT count(*) FROM state_migrations WHERE owner = @owner AND step = @step", transaction)
                    .Bind("@owner", schema.Owner).Bind("@step", step);
                if (await check.ScalarInt64Async(cancellationToken).ConfigureAwait(false) > 0)
                {
                    continue;
                }

                await using var run = connection.Command(statements[step], transaction);
                await run.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);

                await using var record = connection.Command("INSERT INTO state_migrations (owner, step, applied_at) VALUES (@owner, @step, @at)", transaction)
                    .Bind("@owner", schema.Owner).Bind("@step", step).Bind("@at", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
                await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                applied++;
            }
        }

        return applied;
    }
}
