using System.Data.Common;
using TaskLens.Core.Access;
using TaskLens.Storage.State;

namespace TaskLens.Storage.Access;

/// <summary>Stored keys and tokens in the state database: digests only, never a secret.</summary>
internal sealed class AccessKeyStore(StateDatabase database) : IAccessKeyStore
{
    public static readonly StateSchema Schema = new("access_keys",
    [
        """
        CREATE TABLE access_keys (
            id          TEXT NOT NULL PRIMARY KEY,
            tenant      TEXT NOT NULL,
            kind        TEXT NOT NULL,
            name        TEXT NOT NULL,
            digest      TEXT NOT NULL UNIQUE,
            hint        TEXT NOT NULL,
            created_at  TEXT NOT NULL,
            created_by  TEXT NOT NULL,
            revoked_at  TEXT,
            revoked_by  TEXT)
        """,
        "CREATE INDEX access_keys_by_tenant ON access_keys (tenant, created_at)",
    ]);

    private const string Columns = "id, tenant, kind, name, digest, hint, created_at, created_by, revoked_at, revoked_by";

    public async Task AddAsync(AccessKey key, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"INSERT INTO access_keys ({Columns}) VALUES (@id, @tenant, @kind, @name, @digest, @hint, @created_at, @created_by, @revoked_at, @revoked_by)";
        command.Bind("@id", key.Id);
        command.Bind("@tenant", key.Tenant);
        command.Bind("@kind", KeyKinds.Name(key.Kind));
        command.Bind("@name", key.Name);
        command.Bind("@digest", key.Digest);
        command.Bind("@hint", key.Hint);
        command.Bind("@created_at", StateRows.Time(key.CreatedAt));
        command.Bind("@created_by", key.CreatedBy);
        command.Bind("@revoked_at", StateRows.TimeOrNull(key.RevokedAt));
        command.Bind("@revoked_by", (object?)key.RevokedBy ?? DBNull.Value);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<AccessKey>> ListAsync(string tenant, CancellationToken cancellationToken) =>
        QueryAsync($"SELECT {Columns} FROM access_keys WHERE tenant = @tenant ORDER BY created_at DESC, id", tenant, cancellationToken);

    public Task<IReadOnlyList<AccessKey>> ListActiveAsync(CancellationToken cancellationToken) =>
        QueryAsync($"SELECT {Columns} FROM access_keys WHERE revoked_at IS NULL", null, cancellationToken);

    public async Task<bool> RevokeAsync(string tenant, string id, string by, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();

        // Compare-and-set on the revoked state: of two admins revoking at once, one is told it was done.
        command.CommandText = "UPDATE access_keys SET revoked_at = @at, revoked_by = @by WHERE id = @id AND tenant = @tenant AND revoked_at IS NULL";
        command.Bind("@at", StateRows.Time(at));
        command.Bind("@by", by);
        command.Bind("@id", id);
        command.Bind("@tenant", tenant);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    private async Task<IReadOnlyList<AccessKey>> QueryAsync(string sql, string? tenant, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        if (tenant is not null)
        {
            command.Bind("@tenant", tenant);
        }

        var result = new List<AccessKey>();
        await using var row = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await row.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!KeyKinds.TryParse(row.GetString(2), out var kind))
            {
                // A kind this version does not know (written by a newer one) opens nothing here.
                continue;
            }

            result.Add(new AccessKey(
                row.GetString(0), row.GetString(1), kind, row.GetString(3), row.GetString(4), row.GetString(5),
                StateRows.ReadTime(row, 6), row.GetString(7), StateRows.ReadTimeOrNull(row, 8), StateRows.ReadTextOrNull(row, 9)));
        }

        return result;
    }
}
