using System.Data.Common;
using TaskLens.Core.Access;
using TaskLens.Storage.State;

namespace TaskLens.Storage.Access;

/// <summary>Users in the state database. Names are unique across tenants (sign-in asks for a name only), case-insensitive.</summary>
internal sealed class UserStore(StateDatabase database) : IUserStore
{
    public static readonly StateSchema Schema = new("users",
    [
        """
        CREATE TABLE users (
            id            TEXT    NOT NULL PRIMARY KEY,
            name          TEXT    NOT NULL COLLATE NOCASE UNIQUE,
            tenant        TEXT    NOT NULL,
            role          TEXT    NOT NULL,
            password_hash TEXT    NOT NULL,
            created_at    TEXT    NOT NULL,
            created_by    TEXT    NOT NULL,
            disabled_at   TEXT,
            version       INTEGER NOT NULL)
        """,
        "CREATE INDEX users_by_tenant ON users (tenant, name)",
    ],
    [
        """
        CREATE TABLE users (
            id            TEXT   NOT NULL PRIMARY KEY,
            name          TEXT   NOT NULL,
            tenant        TEXT   NOT NULL,
            role          TEXT   NOT NULL,
            password_hash TEXT   NOT NULL,
            created_at    TEXT   NOT NULL,
            created_by    TEXT   NOT NULL,
            disabled_at   TEXT,
            version       BIGINT NOT NULL)
        """,
        // PostgreSQL has no NOCASE collation: names are unique by their lower case, and looked up the same way.
        "CREATE UNIQUE INDEX users_by_name ON users (lower(name)); CREATE INDEX users_by_tenant ON users (tenant, name)",
    ]);

    private const string Columns = "id, name, tenant, role, password_hash, created_at, created_by, disabled_at, version";

    public Task<AppUser?> FindByNameAsync(string name, CancellationToken cancellationToken) =>
        FindAsync("lower(name) = lower(@value)", name, cancellationToken);

    public Task<AppUser?> FindByIdAsync(string id, CancellationToken cancellationToken) =>
        FindAsync("id = @value", id, cancellationToken);

    public async Task<IReadOnlyList<AppUser>> ListAsync(string tenant, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM users WHERE tenant = @tenant ORDER BY name";
        command.Bind("@tenant", tenant);
        var result = new List<AppUser>();
        await using var row = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await row.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            result.Add(Read(row));
        }

        return result;
    }

    public async Task<bool> AnyAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT EXISTS (SELECT 1 FROM users)";
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture) == 1;
    }

    public async Task<bool> AddAsync(AppUser user, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();

        // ON CONFLICT DO NOTHING: a taken name is an answer (false), not an exception.
        command.CommandText = $"""
            INSERT INTO users ({Columns}) VALUES (@id, @name, @tenant, @role, @hash, @created_at, @created_by, @disabled_at, @version)
            ON CONFLICT DO NOTHING
            """;
        Bind(command, user);
        command.Bind("@version", user.Version);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<bool> UpdateAsync(AppUser user, long expectedVersion, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE users SET role = @role, password_hash = @hash, disabled_at = @disabled_at, version = @expected + 1
            WHERE id = @id AND version = @expected
            """;
        Bind(command, user);
        command.Bind("@expected", expectedVersion);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    private async Task<AppUser?> FindAsync(string where, string value, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM users WHERE {where}";
        command.Bind("@value", value);
        await using var row = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await row.ReadAsync(cancellationToken).ConfigureAwait(false) ? Read(row) : null;
    }

    private static void Bind(DbCommand command, AppUser user)
    {
        command.Bind("@id", user.Id);
        command.Bind("@name", user.Name);
        command.Bind("@tenant", user.Tenant);
        command.Bind("@role", Roles.Name(user.Role));
        command.Bind("@hash", user.PasswordHash);
        command.Bind("@created_at", StateRows.Time(user.CreatedAt));
        command.Bind("@created_by", user.CreatedBy);
        command.Bind("@disabled_at", StateRows.TimeOrNull(user.DisabledAt));
    }

    private static AppUser Read(DbDataReader row) => new(
        row.GetString(0),
        row.GetString(1),
        row.GetString(2),
        Roles.TryParse(row.GetString(3), out var role) ? role : Role.Viewer,
        row.GetString(4),
        StateRows.ReadTime(row, 5),
        row.GetString(6),
        StateRows.ReadTimeOrNull(row, 7),
        row.GetInt64(8));
}
