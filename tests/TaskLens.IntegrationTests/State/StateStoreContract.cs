using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TaskLens.Core;
using TaskLens.Core.Access;
using TaskLens.Core.Alerts;
using TaskLens.Core.Alerts.Intake;
using TaskLens.Core.Briefs;
using TaskLens.Core.Incidents;
using TaskLens.Core.Slack;
using TaskLens.IntegrationTests.Infrastructure;
using TaskLens.Storage.Access;
using TaskLens.Storage.Alerts;
using TaskLens.Storage.Briefs;
using TaskLens.Storage.ClickHouse;
using TaskLens.Storage.Incidents;
using TaskLens.Storage.Schema;
using TaskLens.Storage.State;

namespace TaskLens.IntegrationTests.State;

/// <summary>
/// What every state store promises, run against each engine (<see cref="SqliteStateStoreTests"/>,
/// <see cref="PostgresStateStoreTests"/>): round trips, case-insensitive user names, and compare-and-set that refuses a
/// stale writer and stores nothing of its change — the timeline in ClickHouse included.
/// </summary>
public abstract class StateStoreContract(ClickHouseFixture clickHouse) : IAsyncLifetime
{
    private static readonly DateTimeOffset At = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

    protected StateDatabase Database { get; private set; } = null!;

    protected ClickHouseClient ClickHouse { get; private set; } = null!;

    internal static IReadOnlyList<StateSchema> Schemas =>
        [SlackStateStore.Schema, UserStore.Schema, AccessKeyStore.Schema, IncidentStore.Schema, AlertIntakeStore.Schema, BriefStore.Schema];

    /// <summary>The database of the test (new and empty at its first call) with <see cref="Schemas"/> registered.</summary>
    private protected abstract Task<StateDatabase> CreateDatabaseAsync();

    /// <summary>Another new, empty database of the engine under test, with only <paramref name="schemas"/> registered.</summary>
    private protected abstract Task<StateDatabase> CreateOtherDatabaseAsync(IReadOnlyList<StateSchema> schemas);

    public async Task InitializeAsync()
    {
        var database = "state_" + Guid.NewGuid().ToString("N")[..8];
        var options = new ClickHouseOptions { Url = clickHouse.Url, Database = database };
        ClickHouse = clickHouse.CreateClient(database);
        await new SchemaMigrator(ClickHouse, Options.Create(options), NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);
        Database = await CreateDatabaseAsync();
        await Database.MigrateAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        ClickHouse.Dispose();
        await Database.DisposeAsync();
    }

    [Fact]
    public async Task MigrateAsync_AgainAndFromTwoNodesAtOnce_AppliesNothingTwice()
    {
        await using var second = await CreateDatabaseAsync();
        await using var third = await CreateDatabaseAsync();

        var again = await Task.WhenAll(second.MigrateAsync(CancellationToken.None), third.MigrateAsync(CancellationToken.None));

        Assert.Equal([0, 0], again);
    }

    [Fact]
    public async Task Users_NameTakenInAnotherCase_IsRefusedAndFoundInAnyCase()
    {
        var users = new UserStore(Database);
        var ana = new AppUser("u1", "Ana", "acme", Role.Admin, "hash", At, "test", null, 1);

        Assert.True(await users.AddAsync(ana, CancellationToken.None));
        Assert.False(await users.AddAsync(ana with { Id = "u2", Name = "ANA" }, CancellationToken.None));
        Assert.Equal(ana, await users.FindByNameAsync("aNa", CancellationToken.None));
        Assert.True(await users.AnyAsync(CancellationToken.None));
        Assert.Equal(["u1"], (await users.ListAsync("acme", CancellationToken.None)).Select(u => u.Id));
    }

    [Fact]
    public async Task Users_UpdateOnStaleVersion_ChangesNothing()
    {
        var users = new UserStore(Database);
        var ana = new AppUser("u1", "ana", "acme", Role.Viewer, "hash", At, "test", null, 1);
        await users.AddAsync(ana, CancellationToken.None);

        Assert.True(await users.UpdateAsync(ana with { Role = Role.Responder }, 1, CancellationToken.None));
        Assert.False(await users.UpdateAsync(ana with { Role = Role.Admin }, 1, CancellationToken.None));

        var stored = await users.FindByIdAsync("u1", CancellationToken.None);
        Assert.Equal((Role.Responder, 2L), (stored!.Role, stored.Version));
    }

    [Fact]
    public async Task AccessKeys_RevokedTwice_OnlyTheFirstIsTold()
    {
        var keys = new AccessKeyStore(Database);
        await keys.AddAsync(new AccessKey("k1", "acme", KeyKind.ApiRead, "ci", "digest-1", "tl_…a1", At, "ana", null, null), CancellationToken.None);

        Assert.True(await keys.RevokeAsync("acme", "k1", "ana", At, CancellationToken.None));
        Assert.False(await keys.RevokeAsync("acme", "k1", "bo", At, CancellationToken.None));
        Assert.Empty(await keys.ListActiveAsync(CancellationToken.None));
        Assert.Equal("ana", (await keys.ListAsync("acme", CancellationToken.None)).Single().RevokedBy);
    }

    [Fact]
    public async Task Slack_MessageSavedTwiceAndUserLinked_LaterWinsAndLinkIsFound()
    {
        var slack = new SlackStateStore(Database);
        await slack.SaveMessageAsync(new SlackMessageRef("acme", "inc-1", "C1", "1.1", 1), CancellationToken.None);
        await slack.SaveMessageAsync(new SlackMessageRef("acme", "inc-1", "C1", "1.2", 3), CancellationToken.None);
        await slack.LinkUserAsync("U1", "ana", CancellationToken.None);

        Assert.Equal(new SlackMessageRef("acme", "inc-1", "C1", "1.2", 3), await slack.FindMessageAsync("acme", "inc-1", CancellationToken.None));
        Assert.Equal("ana", await slack.FindUserAsync("U1", CancellationToken.None));
        Assert.Equal(["U1"], await slack.SlackUsersOfAsync("ana", CancellationToken.None));
        Assert.True(await slack.UnlinkUserAsync("U1", CancellationToken.None));
        Assert.Null(await slack.FindUserAsync("U1", CancellationToken.None));
    }

    [Fact]
    public async Task Incidents_Written_ReadBackByEveryQuery()
    {
        var store = new IncidentStore(Database, ClickHouse);
        var write = Opened("acme", "inc-7", head: 0);

        await store.WriteAsync(write, CancellationToken.None);

        var incident = write.States[0];
        Assert.Equal(incident, await store.FindAsync("acme", "inc-7", CancellationToken.None), IncidentComparer.Instance);
        Assert.Equal([incident], await store.FindAsync("acme", ["inc-7", "inc-8"], CancellationToken.None), IncidentComparer.Instance);
        Assert.Equal([incident], await store.LiveAsync(At, CancellationToken.None), IncidentComparer.Instance);
        var query = new IncidentQuery("acme", At.AddHours(-1), At.AddHours(1), null, null, "Checkout", null, 10);
        Assert.Equal(["inc-7"], (await store.ListAsync(query, CancellationToken.None)).Select(i => i.Id));
        Assert.Empty(await store.ListAsync(query with { Goal = "check" }, CancellationToken.None));
        Assert.Empty(await store.ListAsync(query with { Tenant = "other" }, CancellationToken.None));
        Assert.Equal(["am:a1"], (await store.MembersAsync("acme", ["inc-7"], CancellationToken.None)).Select(m => m.AlertId));
        Assert.Equal(7, (await store.LastNumbersAsync(CancellationToken.None))["acme"]);
        Assert.Equal(1, (await store.HeadsAsync(CancellationToken.None))["acme"]);
        Assert.Equal([IncidentEventKind.Opened, IncidentEventKind.AlertJoined], (await store.TimelineAsync("acme", "inc-7", CancellationToken.None)).Select(e => e.Kind));
    }

    [Fact]
    public async Task Incidents_WriteDecidedOnAStaleHead_ConflictsAndStoresNothing()
    {
        var store = new IncidentStore(Database, ClickHouse);
        await store.WriteAsync(Opened("acme", "inc-1", head: 0), CancellationToken.None);

        // A second node, which had not seen inc-1, opens its own first incident.
        await Assert.ThrowsAsync<StateConflictException>(() => store.WriteAsync(Opened("acme", "inc-2", head: 0), CancellationToken.None));

        Assert.Null(await store.FindAsync("acme", "inc-2", CancellationToken.None));
        Assert.Empty(await store.TimelineAsync("acme", "inc-2", CancellationToken.None));
        Assert.Equal(1, (await store.HeadsAsync(CancellationToken.None))["acme"]);
    }

    [Fact]
    public async Task Incidents_ChangeOnAStaleIncidentVersion_Conflicts()
    {
        var store = new IncidentStore(Database, ClickHouse);
        var opened = Opened("acme", "inc-1", head: 0);
        await store.WriteAsync(opened, CancellationToken.None);
        var acked = Triage(opened.States[0], IncidentEventKind.Acknowledged, head: 1, "ana");
        await store.WriteAsync(acked, CancellationToken.None);

        // Decided on version 2 as well, but the head is current: the incident's own version check refuses it.
        var assigned = Triage(opened.States[0], IncidentEventKind.Assigned, head: 2, "bo");

        await Assert.ThrowsAsync<StateConflictException>(() => store.WriteAsync(assigned, CancellationToken.None));
        var stored = await store.FindAsync("acme", "inc-1", CancellationToken.None);
        Assert.Equal((3L, IncidentStatus.Acknowledged, ""), (stored!.Version, stored.Status, stored.Assignee));
        Assert.Equal(2, (await store.HeadsAsync(CancellationToken.None))["acme"]);
    }

    [Fact]
    public async Task AlertStates_WrittenOnAStaleVersion_ConflictAndStoreNoEvent()
    {
        var store = new AlertIntakeStore(Database, ClickHouse);
        var first = Alert(1, "firing");
        await store.WriteAsync([Event("trigger")], [first], CancellationToken.None);
        await store.WriteAsync([Event("resolve")], [first with { Status = AlertStateStatus.Resolved, Version = 2, ResolvedAt = At }], CancellationToken.None);

        await Assert.ThrowsAsync<StateConflictException>(() =>
            store.WriteAsync([Event("trigger")], [first with { Version = 2, Title = "stale" }], CancellationToken.None));

        var stored = (await store.FindAsync("acme", ["am:a1"], CancellationToken.None)).Single();
        Assert.Equal((AlertStateStatus.Resolved, 2L, "db down"), (stored.Status, stored.Version, stored.Title));
        Assert.Equal(first.Labels, stored.Labels);
        Assert.Equal([stored.Version], (await store.StatesAsync(At, CancellationToken.None)).Select(s => s.Version));
        Assert.Single(await store.ListAsync("acme", AlertStateStatus.Resolved, "am", 10, CancellationToken.None));
        var events = await ClickHouse.QueryAsync("SELECT count() AS n FROM alert_events", r => r.GetInt64("n"), CancellationToken.None);
        Assert.Equal(2, events[0]);
    }

    [Fact]
    public async Task ClickHouseStateImport_StateOfAnOlderVersion_IsMovedOnce()
    {
        await ClickHouse.ExecuteAsync(
            """
            INSERT INTO incidents (tenant, id, title, status, severity, severity_by_person, assignee, goals, services, alerts, firing_alerts,
                                   opened_at, updated_at, acknowledged_at, resolved_at, resolved_by, merged_into, version, triage_version)
            VALUES ('acme', 'inc-3', 'old', 1, 2, 0, '', ['checkout'], [], 1, 1, 1800000000, 1800000000, 0, 0, '', '', 2, 0),
                   ('acme', 'inc-3', 'old', 2, 2, 0, 'ana', ['checkout'], [], 1, 1, 1800000000, 1800000060, 1800000060, 0, '', '', 3, 3)
            """, CancellationToken.None);
        await ClickHouse.ExecuteAsync(
            "INSERT INTO incident_alerts VALUES ('acme', 'inc-3', 'am:a1', 1800000000, 0, 'opened', 1, 2), ('acme', 'inc-3', 'am:a9', 1800000000, 0, 'torn', 1, 9)",
            CancellationToken.None);
        await ClickHouse.ExecuteAsync(
            "INSERT INTO alert_states VALUES ('acme', 'am', 'a1', 1, 'db down', '', 2, ['service'], ['db'], '', 1800000000, 1800000000, 0, 1, 1, 1)",
            CancellationToken.None);
        var import = new ClickHouseStateImport(Database, ClickHouse, NullLogger<ClickHouseStateImport>.Instance);

        Assert.Equal((1, 1), await import.ImportAsync(CancellationToken.None));
        Assert.Equal((0, 0), await import.ImportAsync(CancellationToken.None));

        var incidents = new IncidentStore(Database, ClickHouse);
        var moved = await incidents.FindAsync("acme", "inc-3", CancellationToken.None);
        Assert.Equal((IncidentStatus.Acknowledged, "ana", 3L), (moved!.Status, moved.Assignee, moved.Version));
        Assert.Equal(["am:a1"], (await incidents.MembersAsync("acme", ["inc-3"], CancellationToken.None)).Select(m => m.AlertId));
        Assert.Equal(3, (await incidents.LastNumbersAsync(CancellationToken.None))["acme"]);
        var alert = (await new AlertIntakeStore(Database, ClickHouse).FindAsync("acme", ["am:a1"], CancellationToken.None)).Single();
        Assert.Equal("db", alert.Labels["service"]);
    }

    private static IncidentWrite Opened(string tenant, string id, long head)
    {
        var incident = new Incident
        {
            Tenant = tenant, Id = id, Title = "Checkout failing", Status = IncidentStatus.Triggered, Severity = AlertSeverity.Critical,
            Goals = ["checkout"], Services = ["payments", "db"], Alerts = 1, FiringAlerts = 1, OpenedAt = At, UpdatedAt = At, Version = 2,
        };
        var write = new IncidentWrite(
            [Entry(incident, 1, IncidentEventKind.Opened, IncidentBoard.System), Entry(incident, 2, IncidentEventKind.AlertJoined, IncidentBoard.System)],
            [new IncidentAlert { Tenant = tenant, IncidentId = id, AlertId = "am:a1", JoinedAt = At, Reason = "opened", Version = 2 }],
            [incident]);
        write.Heads[tenant] = head;
        return write;
    }

    [Fact]
    public async Task Briefs_WrittenWithCompareAndSet_ReadBackWholeAndOnlyInTheirTenant()
    {
        var store = new BriefStore(Database);
        var acme = Brief("acme", "inc-1", version: 1, "Checkout is failing: payments-db refuses connections.");
        var initech = Brief("initech", "inc-1", version: 4, "Initech's own incident number one.");

        Assert.True(await store.TryWriteAsync(acme, 0, CancellationToken.None));
        Assert.False(await store.TryWriteAsync(acme with { Brief = acme.Brief with { Version = 9 } }, 0, CancellationToken.None));
        Assert.Null(await store.FindAsync("initech", "inc-1", CancellationToken.None));
        Assert.True(await store.TryWriteAsync(initech, 0, CancellationToken.None));

        var read = await store.FindAsync("acme", "inc-1", CancellationToken.None);
        Assert.NotNull(read);
        Assert.Equal((1L, 1L, "sig-1", At.AddMinutes(5)), (read.Revision, read.Brief.Version, read.NarratedFor, read.NarratingUntil));
        Assert.Equal(acme.ModelCalls, read.ModelCalls);
        Assert.Equal(acme.Brief.Narrative, read.Brief.Narrative);

        // Every fact reads back as written: the facts hash the narrative cache compares is the same.
        Assert.Equal(TaskLens.Briefs.BriefService.Hash(acme.Brief.Facts), TaskLens.Briefs.BriefService.Hash(read.Brief.Facts));
        Assert.Equal("Initech's own incident number one.", (await store.FindAsync("initech", "inc-1", CancellationToken.None))!.Brief.Narrative.Text);

        // A writer that read revision 1 after another moved it to 2 stores nothing.
        Assert.True(await store.TryWriteAsync(read with { NarratingUntil = null, Brief = read.Brief with { Version = 2 } }, 1, CancellationToken.None));
        Assert.False(await store.TryWriteAsync(read with { Brief = read.Brief with { Version = 7 } }, 1, CancellationToken.None));
        var after = await store.FindAsync("acme", "inc-1", CancellationToken.None);
        Assert.Equal((2L, 2L, (DateTimeOffset?)null), (after!.Revision, after.Brief.Version, after.NarratingUntil));
    }

    [Fact]
    public async Task Briefs_StoreWithoutTheTable_GetsItOnUpgrade_AndKeepsWhatItHeld()
    {
        var before = Schemas.Where(s => s.Owner != BriefStore.Schema.Owner).ToList();
        await using (var old = await CreateOtherDatabaseAsync(before))
        {
            await old.MigrateAsync(CancellationToken.None);
            await new SlackStateStore(old).LinkUserAsync("U1", "ana", CancellationToken.None);
            await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => new BriefStore(old).FindAsync("acme", "inc-1", CancellationToken.None));
        }

        await using var upgraded = await CreateOtherDatabaseAsync(Schemas);
        Assert.Equal(BriefStore.Schema.Statements.Count, await upgraded.MigrateAsync(CancellationToken.None));
        Assert.True(await new BriefStore(upgraded).TryWriteAsync(Brief("acme", "inc-1", 1, "text"), 0, CancellationToken.None));
        Assert.NotNull(await new BriefStore(upgraded).FindAsync("acme", "inc-1", CancellationToken.None));
        Assert.Equal("ana", await new SlackStateStore(upgraded).FindUserAsync("U1", CancellationToken.None));
    }

    private static StoredBrief Brief(string tenant, string id, long version, string narrative)
    {
        var facts = new BriefFacts
        {
            IncidentId = id, Tenant = tenant, IncidentVersion = 3, Title = "Goal order-agent completing 40% of runs", Severity = AlertSeverity.Critical,
            Status = IncidentStatus.Triggered, FirstSeen = At, LastSeen = At.AddMinutes(21), Duration = TimeSpan.FromMinutes(21), Alerts = 6, FiringAlerts = 5,
            Goals = [new GoalImpact("order-agent", 0.4, 0.96, 0.97, 120, 200, 8, 9.6, ["series:goal/order-agent/completion_rate"])],
            Services = ["checkout", "payments-db"], Tenants = [tenant],
            Timeline = [new TimelineHighlight(At, "opened", "opened by alert db1", ["timeline:v1"])],
            ErrorTemplates = [new ErrorTemplate("T1", "payments-db", "span", "connection to <*> refused", 1350, At, At.AddMinutes(20), true, ["template:T1"])],
            Origins = [new OriginCandidate(1, "service", "payments-db", 2.06, [new OriginEvidence("earliest-signal", "first to fail", At, ["alert:am:db1"])])],
            NextSteps = [new NextStep("runbook", "Open the runbook", "https://runbooks.example.com/payments-db", ["alert:am:db1"])],
            Samples = [new BriefSample("trace", "0af7651916cd43dd8448eb211c80319c", "checkout", "order-agent", At, "/api/traces/0af7651916cd43dd8448eb211c80319c")],
            Sources = ["alert:am:db1"], Summary = "Checkout is failing.",
        };
        return new StoredBrief
        {
            Tenant = tenant, IncidentId = id, Revision = 1, NarratedFor = "sig-1", NarratingUntil = At.AddMinutes(5), RegeneratedAt = At,
            ModelCalls = [At, At.AddSeconds(1.5)],
            Brief = new IncidentBrief
            {
                Facts = facts, Version = version, FactsHash = "1094a111d08e73be", GeneratedAt = At, Summary = narrative,
                Narrative = new NarrativeState { Status = "accepted", Text = narrative, Model = "gpt-4o-mini", InputTokens = 2400, OutputTokens = 300, Cost = 0.00054, ModelCalls = 2, FunctionCalls = 1, FactsHash = "1094a111d08e73be", GeneratedAt = At },
            },
        };
    }

    private static IncidentWrite Triage(Incident seen, IncidentEventKind kind, long head, string actor)
    {
        var changed = kind == IncidentEventKind.Acknowledged
            ? seen with { Status = IncidentStatus.Acknowledged, AcknowledgedAt = At, Version = seen.Version + 1, TriageVersion = seen.Version + 1 }
            : seen with { Assignee = actor, Version = seen.Version + 1, TriageVersion = seen.Version + 1 };
        var write = new IncidentWrite([Entry(changed, changed.Version, kind, actor)], [], [changed]);
        write.Heads[seen.Tenant] = head;
        return write;
    }

    private static IncidentEvent Entry(Incident incident, long version, IncidentEventKind kind, string actor) => new()
    {
        Tenant = incident.Tenant, IncidentId = incident.Id, Version = version, Kind = kind, At = At, Actor = actor,
    };

    private static AlertState Alert(long version, string title) => new()
    {
        Tenant = "acme", Source = "am", Fingerprint = "a1", Status = AlertStateStatus.Firing, Title = title == "firing" ? "db down" : title,
        Severity = AlertSeverity.Critical, Labels = new Dictionary<string, string> { ["service"] = "db", ["goal"] = "checkout" },
        FirstSeen = At, LastSeen = At, Fires = 1, Events = (int)version, Version = version,
    };

    private static AlertEvent Event(string action) => new()
    {
        Tenant = "acme", Source = "am", Fingerprint = "a1", Title = "db down", ReceivedAt = At,
        Action = action == "resolve" ? AlertAction.Resolve : AlertAction.Trigger,
    };

    /// <summary>Incidents compared by value, their name lists by content.</summary>
    private sealed class IncidentComparer : IEqualityComparer<Incident?>
    {
        public static readonly IncidentComparer Instance = new();

        public bool Equals(Incident? x, Incident? y) =>
            x is not null && y is not null && x with { Goals = [], Services = [] } == y with { Goals = [], Services = [] }
            && x.Goals.SequenceEqual(y.Goals) && x.Services.SequenceEqual(y.Services);

        public int GetHashCode(Incident? obj) => obj?.Id.GetHashCode(StringComparison.Ordinal) ?? 0;
    }
}
