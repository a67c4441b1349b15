using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using TaskLens.Core.Briefs;
using TaskLens.Storage.State;

namespace TaskLens.Storage.Briefs;

/// <summary>
/// Incidents' current briefs in the state database: one row per incident, the brief as JSON beside the columns a person
/// or a query may want (version, facts hash), written with compare-and-set on the row's revision.
/// </summary>
internal sealed class BriefStore(StateDatabase database) : IBriefStore
{
    /// <summary>The store's tables; append statements to change them, never edit one that has run.</summary>
    public static readonly StateSchema Schema = new("briefs",
    [
        """
        CREATE TABLE incident_briefs (
            tenant          TEXT    NOT NULL,
            incident_id     TEXT    NOT NULL,
            revision        INTEGER NOT NULL,
            version         INTEGER NOT NULL,
            facts_hash      TEXT    NOT NULL,
            brief           TEXT    NOT NULL,
            narrated_for    TEXT,
            model_calls     TEXT    NOT NULL,
            regenerated_at  TEXT,
            narrating_until TEXT,
            updated_at      TEXT    NOT NULL,
            PRIMARY KEY (tenant, incident_id))
        """,
    ]);

    private const string Columns = "revision, brief, narrated_for, model_calls, regenerated_at, narrating_until";

    /// <summary>
    /// The brief's JSON: property names as the records spell them, so what is stored reads back whatever the API's
    /// casing; non-finite figures as names rather than an error.
    /// </summary>
    private static readonly JsonSerializerOptions Json = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public async Task<StoredBrief?> FindAsync(string tenant, string incidentId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.Command($"SELECT {Columns} FROM incident_briefs WHERE tenant = @tenant AND incident_id = @id")
            .Bind("@tenant", tenant).Bind("@id", incidentId);
        await using var row = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await row.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return new StoredBrief
        {
            Tenant = tenant,
            IncidentId = incidentId,
            Revision = StateRows.ReadInt64(row, 0),
            Brief = JsonSerializer.Deserialize<IncidentBrief>(row.GetString(1), Json)
                ?? throw new InvalidDataException($"The stored brief of {tenant}/{incidentId} is empty."),
            NarratedFor = StateRows.ReadTextOrNull(row, 2),
            ModelCalls = ReadCalls(row.GetString(3)),
            RegeneratedAt = StateRows.ReadTimeOrNull(row, 4),
            NarratingUntil = StateRows.ReadTimeOrNull(row, 5),
        };
    }

    public async Task<bool> TryWriteAsync(StoredBrief brief, long expectedRevision, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(brief);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.Command(expectedRevision == 0
            ? """
              INSERT INTO incident_briefs (tenant, incident_id, revision, version, facts_hash, brief, narrated_for, model_calls, regenerated_at, narrating_until, updated_at)
              VALUES (@tenant, @id, 1, @version, @hash, @brief, @narratedFor, @calls, @regenerated, @narrating, @at)
              ON CONFLICT (tenant, incident_id) DO NOTHING
              """
            : """
              UPDATE incident_briefs SET revision = @expected + 1, version = @version, facts_hash = @hash, brief = @brief, narrated_for = @narratedFor,
                  model_calls = @calls, regenerated_at = @regenerated, narrating_until = @narrating, updated_at = @at
              WHERE tenant = @tenant AND incident_id = @id AND revision = @expected
              """)
            .Bind("@tenant", brief.Tenant).Bind("@id", brief.IncidentId).Bind("@expected", expectedRevision)
            .Bind("@version", brief.Brief.Version).Bind("@hash", brief.Brief.FactsHash)
            .Bind("@brief", JsonSerializer.Serialize(brief.Brief, Json)).Bind("@narratedFor", brief.NarratedFor)
            .Bind("@calls", string.Join(',', brief.ModelCalls.Select(c => c.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture))))
            .Bind("@regenerated", StateRows.TimeOrNull(brief.RegeneratedAt)).Bind("@narrating", StateRows.TimeOrNull(brief.NarratingUntil))
            .Bind("@at", StateRows.Time(DateTimeOffset.UtcNow));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    private static List<DateTimeOffset> ReadCalls(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(c => DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(c, CultureInfo.InvariantCulture))).ToList();
}
