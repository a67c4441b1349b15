using System.Globalization;
using System.Data.Common;
using TaskLens.Core.Slack;

namespace TaskLens.Storage.State;

/// <summary>Slack message references and Slack-user links in the app-state database.</summary>
internal sealed class SlackStateStore(StateDatabase database) : ISlackStateStore
{
    /// <summary>The store's tables; append statements to change them, never edit one that has run.</summary>
    public static readonly StateSchema Schema = new("slack",
    [
        """
        CREATE TABLE slack_messages (
            tenant      TEXT    NOT NULL,
            incident_id TEXT    NOT NULL,
            channel     TEXT    NOT NULL,
            ts          TEXT    NOT NULL,
            version     INTEGER NOT NULL,
            updated_at  TEXT    NOT NULL,
            PRIMARY KEY (tenant, incident_id))
        """,
        """
        CREATE TABLE slack_user_links (
            slack_user_id TEXT NOT NULL PRIMARY KEY,
            user_name     TEXT NOT NULL,
            linked_at     TEXT NOT NULL)
        """,
        "CREATE INDEX slack_user_links_by_user ON slack_user_links (user_name)",
    ]);

    public async Task<SlackMessageRef?> FindMessageAsync(string tenant, string incidentId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT channel, ts, version FROM slack_messages WHERE tenant = @tenant AND incident_id = @id";
        command.Bind("@tenant", tenant);
        command.Bind("@id", incidentId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new SlackMessageRef(tenant, incidentId, reader.GetString(0), reader.GetString(1), reader.GetInt64(2))
            : null;
    }

    public async Task SaveMessageAsync(SlackMessageRef message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO slack_messages (tenant, incident_id, channel, ts, version, updated_at)
            VALUES (@tenant, @id, @channel, @ts, @version, @at)
            ON CONFLICT (tenant, incident_id) DO UPDATE SET channel = @channel, ts = @ts, version = @version, updated_at = @at
            """;
        command.Bind("@tenant", message.Tenant);
        command.Bind("@id", message.IncidentId);
        command.Bind("@channel", message.Channel);
        command.Bind("@ts", message.Ts);
        command.Bind("@version", message.Version);
        AddNow(command);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<string?> FindUserAsync(string slackUserId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT user_name FROM slack_user_links WHERE slack_user_id = @slack";
        command.Bind("@slack", slackUserId);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
    }

    public async Task<IReadOnlyList<string>> SlackUsersOfAsync(string user, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT slack_user_id FROM slack_user_links WHERE user_name = @user ORDER BY slack_user_id";
        command.Bind("@user", user);
        var found = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            found.Add(reader.GetString(0));
        }

        return found;
    }

    public async Task LinkUserAsync(string slackUserId, string user, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO slack_user_links (slack_user_id, user_name, linked_at) VALUES (@slack, @user, @at)
            ON CONFLICT (slack_user_id) DO UPDATE SET user_name = @user, linked_at = @at
            """;
        command.Bind("@slack", slackUserId);
        command.Bind("@user", user);
        AddNow(command);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> UnlinkUserAsync(string slackUserId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM slack_user_links WHERE slack_user_id = @slack";
        command.Bind("@slack", slackUserId);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
    }

    private static void AddNow(DbCommand command) =>
        command.Bind("@at", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
}
