using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using TaskLens.Core.Access;
using TaskLens.IntegrationTests.Infrastructure;
using TaskLens.IntegrationTests.Ingest;

namespace TaskLens.IntegrationTests.Access;

/// <summary>
/// The API outside open mode, with the real Program and ClickHouse: no credential, no answer; each tenant's keys and
/// users see only their tenant; a viewer cannot triage; triage records who is authenticated, never the body's <c>by</c>.
/// </summary>
[Collection(ClickHouseCollection.Name)]
public sealed class AccessApiTests(ClickHouseFixture clickHouse)
{
    private const string Password = "a long enough password";
    private const string AcmeIngest = "acme-ingest-key-0123456789";
    private const string GlobexIngest = "globex-ingest-key-0123456789";
    private const string AcmeAlerts = "acme-alert-token-0123456789";
    private const string GlobexAlerts = "globex-alert-token-0123456789";

    private static readonly Dictionary<string, string?> Keyed = new()
    {
        ["TaskLens:Ingest:OpenMode"] = "false",
        ["TaskLens:Ingest:ApiKeys:0:Key"] = AcmeIngest,
        ["TaskLens:Ingest:ApiKeys:0:Tenant"] = "acme",
        ["TaskLens:Ingest:ApiKeys:1:Key"] = GlobexIngest,
        ["TaskLens:Ingest:ApiKeys:1:Tenant"] = "globex",
        ["TaskLens:Alerts:Tokens:0:Token"] = AcmeAlerts,
        ["TaskLens:Alerts:Tokens:0:Tenant"] = "acme",
        ["TaskLens:Alerts:Tokens:1:Token"] = GlobexAlerts,
        ["TaskLens:Alerts:Tokens:1:Tenant"] = "globex",
        ["TaskLens:Goals:QuietPeriod"] = "00:00:01",
        ["TaskLens:Access:FirstAdmin:Name"] = "root",
        ["TaskLens:Access:FirstAdmin:Password"] = Password,
        ["TaskLens:Access:FirstAdmin:Tenant"] = "acme",
    };

    [Fact]
    public async Task Api_OutsideOpenModeWithoutCredential_Refuses401AndPagesRedirectToSignIn()
    {
        await using var host = await TaskLensHost.StartAsync(clickHouse, Keyed);

        foreach (var path in new[]
        {
            "/api/services", "/api/traces/0123456789abcdef0123456789abcdef", "/api/logs", "/api/metrics", "/api/metrics/x/points",
            "/api/goals", "/api/goals/g/series?metric=completed", "/api/goals/g/runs", "/api/runs/0123456789abcdef0123456789abcdef",
            "/api/services/s/operations", "/api/services/s/series", "/api/alerts", "/api/alert-states", "/api/incidents",
            "/api/incidents/inc-1", "/api/services/links", "/api/session", "/api/ingest/spool", "/api/ingest/dead-letters", "/api/anything-added-later",
        })
        {
            using var response = await host.Api.GetAsync(new Uri(path, UriKind.Relative));
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{path} answered {(int)response.StatusCode}");
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        }

        using (var triage = await host.Api.PostAsJsonAsync(new Uri("/api/incidents/inc-1/ack", UriKind.Relative), new { version = 1 }))
        using (var unknownKey = await Get(host, "/api/incidents", "tlk_not-a-key-at-all-0123456789"))
        using (var ingestKeyOnApi = await Get(host, "/api/incidents", AcmeIngest))
        {
            Assert.Equal(
                (HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized),
                (triage.StatusCode, unknownKey.StatusCode, ingestKeyOnApi.StatusCode));
        }

        using var noRedirects = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = host.Api.BaseAddress };
        using (var page = await noRedirects.GetAsync(new Uri("/", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
            Assert.StartsWith("/signin?ReturnUrl=", page.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
        }

        using var health = await host.Api.GetAsync(new Uri("/healthz", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task Reads_WithEachTenantsKey_SeeOnlyThatTenant()
    {
        await using var host = await TaskLensHost.StartAsync(clickHouse, Keyed);
        var access = host.Services.GetRequiredService<AccessService>();
        var acmeKey = (await access.CreateKeyAsync("acme", KeyKind.ApiRead, "grafana", "root", CancellationToken.None)).Secret!;
        var globexKey = (await access.CreateKeyAsync("globex", KeyKind.ApiRead, "grafana", "root", CancellationToken.None)).Secret!;

        var acmeTrace = Export(host, "acme-agent", AcmeIngest);
        var globexTrace = Export(host, "globex-agent", GlobexIngest);
        await PostLogAsync(host, "acme-agent", AcmeIngest, "acme says hello");
        await PostLogAsync(host, "globex-agent", GlobexIngest, "globex says hello");
        await AlertAsync(host, AcmeAlerts, "acme-disk", "Disk full on acme-db");
        await AlertAsync(host, GlobexAlerts, "globex-cpu", "CPU hot on globex-api");
        await host.WaitForStoredAsync();

        using var acme = Client(host, acmeKey);
        using var globex = Client(host, globexKey);
        var acmeIncident = await UntilAsync(acme, "/api/incidents", d => d.GetProperty("incidents").GetArrayLength() == 1);
        var globexIncident = await UntilAsync(globex, "/api/incidents", d => d.GetProperty("incidents").GetArrayLength() == 1);
        Assert.Equal("Disk full on acme-db", acmeIncident.GetProperty("incidents")[0].GetProperty("title").GetString());
        Assert.Equal("CPU hot on globex-api", globexIncident.GetProperty("incidents")[0].GetProperty("title").GetString());
        var globexId = globexIncident.GetProperty("incidents")[0].GetProperty("id").GetString();
        var acmeId = acmeIncident.GetProperty("incidents")[0].GetProperty("id").GetString();

        // Incident numbers are per tenant, so both may be inc-1: acme's key reads acme's incident under that id, never globex's.
        var acmeDetail = await UntilAsync(acme, "/api/incidents/" + globexId, _ => true, HttpStatusCode.OK, HttpStatusCode.NotFound);
        Assert.True(globexId != acmeId ? acmeDetail.ValueKind == JsonValueKind.Undefined : acmeDetail.GetProperty("incident").GetProperty("title").GetString() == "Disk full on acme-db");

        var goals = await UntilAsync(acme, "/api/goals", d => d.GetProperty("goals").GetArrayLength() > 0);
        Assert.All(goals.GetProperty("goals").EnumerateArray(), g => Assert.Contains("acme", g.ToString(), StringComparison.Ordinal));
        Assert.DoesNotContain("globex", goals.ToString(), StringComparison.Ordinal);

        var services = await UntilAsync(acme, "/api/services", d => d.GetProperty("services").GetArrayLength() > 0);
        Assert.Equal(["acme-agent"], services.GetProperty("services").EnumerateArray().Select(s => s.GetProperty("name").GetString()));
        var logs = await UntilAsync(acme, "/api/logs", d => d.GetProperty("logs").GetArrayLength() > 0);
        Assert.DoesNotContain("globex", logs.ToString(), StringComparison.Ordinal);
        Assert.Contains("acme says hello", logs.ToString(), StringComparison.Ordinal);

        using (var own = await acme.GetAsync(new Uri("/api/traces/" + acmeTrace, UriKind.Relative)))
        using (var other = await acme.GetAsync(new Uri("/api/traces/" + globexTrace, UriKind.Relative)))
        using (var viaGlobex = await globex.GetAsync(new Uri("/api/traces/" + globexTrace, UriKind.Relative)))
        {
            Assert.Equal((HttpStatusCode.OK, HttpStatusCode.NotFound, HttpStatusCode.OK), (own.StatusCode, other.StatusCode, viaGlobex.StatusCode));
        }
    }

    [Fact]
    public async Task Triage_ByViewerIsRefused_ByResponderRecordsTheAuthenticatedActor()
    {
        await using var host = await TaskLensHost.StartAsync(clickHouse, Keyed);
        var access = host.Services.GetRequiredService<AccessService>();
        await access.CreateUserAsync("acme", "vera", Role.Viewer, Password, "root", CancellationToken.None);
        await access.CreateUserAsync("acme", "rita", Role.Responder, Password, "root", CancellationToken.None);
        var readKey = (await access.CreateKeyAsync("acme", KeyKind.ApiRead, "dash", "root", CancellationToken.None)).Secret!;
        var triageKey = (await access.CreateKeyAsync("acme", KeyKind.ApiTriage, "ci-bot", "root", CancellationToken.None)).Secret!;
        await AlertAsync(host, AcmeAlerts, "acme-disk", "Disk full on acme-db");

        using var reader = Client(host, readKey);
        var listed = await UntilAsync(reader, "/api/incidents", d => d.GetProperty("incidents").GetArrayLength() == 1);
        var id = listed.GetProperty("incidents")[0].GetProperty("id").GetString()!;
        var version = listed.GetProperty("incidents")[0].GetProperty("version").GetInt64();

        using (var refused = await reader.PostAsJsonAsync(new Uri($"/api/incidents/{id}/ack", UriKind.Relative), new { version }))
        using (var replay = await reader.PostAsync(new Uri("/api/ingest/dead-letters/x/replay", UriKind.Relative), null))
        {
            Assert.Equal((HttpStatusCode.Forbidden, HttpStatusCode.Forbidden), (refused.StatusCode, replay.StatusCode));
        }

        using var vera = await SignInClient.SignInAsync(host, "vera", Password);
        var (header, token) = await SignInClient.AntiforgeryAsync(vera);
        using (var viewer = new HttpRequestMessage(HttpMethod.Post, $"/api/incidents/{id}/ack") { Content = JsonContent.Create(new { version }) })
        {
            viewer.Headers.Add(header, token);
            using var refusedCookie = await vera.SendAsync(viewer);
            Assert.Equal(HttpStatusCode.Forbidden, refusedCookie.StatusCode);
        }

        using var rita = await SignInClient.SignInAsync(host, "rita", Password);
        using (var withoutToken = await rita.PostAsJsonAsync(new Uri($"/api/incidents/{id}/ack", UriKind.Relative), new { version, by = "mallory" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, withoutToken.StatusCode);
        }

        (header, token) = await SignInClient.AntiforgeryAsync(rita);
        using (var ack = new HttpRequestMessage(HttpMethod.Post, $"/api/incidents/{id}/ack") { Content = JsonContent.Create(new { version, by = "mallory" }) })
        {
            ack.Headers.Add(header, token);
            using var done = await rita.SendAsync(ack);
            Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        }

        using var bot = Client(host, triageKey);
        using (var note = await bot.PostAsJsonAsync(new Uri($"/api/incidents/{id}/notes", UriKind.Relative), new { version = version + 1, by = "mallory", text = "disk cleaned" }))
        {
            Assert.Equal(HttpStatusCode.OK, note.StatusCode);
        }

        var detail = await UntilAsync(bot, "/api/incidents/" + id, _ => true);
        var actors = detail.GetProperty("timeline").EnumerateArray()
            .Where(e => e.GetProperty("kind").GetString() is "acknowledged" or "noted")
            .Select(e => e.GetProperty("actor").GetString());
        Assert.Equal(["rita", "root (key ci-bot)"], actors);
    }

    [Fact]
    public async Task StoredIngestKeyAndAlertToken_WorkBesideConfiguredOnes_UntilRevoked()
    {
        await using var host = await TaskLensHost.StartAsync(clickHouse, Keyed);
        var access = host.Services.GetRequiredService<AccessService>();
        var (ingestKey, ingest, _) = await access.CreateKeyAsync("initech", KeyKind.Ingest, "collector", "root", CancellationToken.None);
        var (_, token, _) = await access.CreateKeyAsync("initech", KeyKind.AlertToken, "alertmanager", "root", CancellationToken.None);
        var read = (await access.CreateKeyAsync("initech", KeyKind.ApiRead, "dash", "root", CancellationToken.None)).Secret!;

        await PostLogAsync(host, "initech-agent", ingest!, "initech says hello");
        await AlertAsync(host, token!, "initech-disk", "Disk full on initech-db");
        await host.WaitForStoredAsync();
        using var reader = Client(host, read);
        await UntilAsync(reader, "/api/incidents", d => d.GetProperty("incidents").GetArrayLength() == 1);
        var logs = await UntilAsync(reader, "/api/logs", d => d.GetProperty("logs").GetArrayLength() == 1);
        Assert.Contains("initech says hello", logs.ToString(), StringComparison.Ordinal);

        Assert.Equal(AccessChangeOutcome.Done, (await access.RevokeKeyAsync("initech", ingestKey!.Id, "root", CancellationToken.None)).Outcome);
        var json = Encoding.UTF8.GetBytes("{\"resourceLogs\":[]}");
        using var refused = await OtlpClient.PostHttpAsync(host.HttpLogsEndpoint, json, "application/json", authorization: "Bearer " + ingest);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task SignIn_TooManyAttemptsFromOneAddress_AreRefused429()
    {
        await using var host = await TaskLensHost.StartAsync(clickHouse, Keyed);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i <= global::TaskLens.Server.Access.AccessHostingExtensions.SignInAttemptsPerMinute; i++)
        {
            using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["_handler"] = "signin", ["Input.Name"] = "root", ["Input.Password"] = "guess " + i });
            using var answer = await host.Api.PostAsync(new Uri("/signin", UriKind.Relative), form);
            statuses.Add(answer.StatusCode);
        }

        Assert.DoesNotContain(HttpStatusCode.TooManyRequests, statuses.Take(global::TaskLens.Server.Access.AccessHostingExtensions.SignInAttemptsPerMinute));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
    }

    [Fact]
    public async Task OpenMode_WithoutCredentialOrWithAStaleCookie_IsTheLocalUser_ButAnUnknownKeyIsRefused()
    {
        await using var host = await TaskLensHost.StartAsync(clickHouse);
        using var stale = new HttpRequestMessage(HttpMethod.Get, "/api/session");
        stale.Headers.Add("Cookie", "TaskLens.SignIn=CfDJ8-not-a-ticket-any-more");

        using var plain = await host.Api.GetAsync(new Uri("/api/session", UriKind.Relative));
        using var withStaleCookie = await host.Api.SendAsync(stale);
        using var unknownKey = await Get(host, "/api/session", "tlk_not-a-key-at-all-0123456789");

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.Unauthorized), (plain.StatusCode, withStaleCookie.StatusCode, unknownKey.StatusCode));
        using var session = JsonDocument.Parse(await withStaleCookie.Content.ReadAsStringAsync());
        Assert.Equal((OpenModeActor.UserName, "default", "open"), (
            session.RootElement.GetProperty("name").GetString(), session.RootElement.GetProperty("tenant").GetString(), session.RootElement.GetProperty("via").GetString()));
    }

    private static HttpClient Client(TaskLensHost host, string key)
    {
        var client = new HttpClient { BaseAddress = host.Api.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    private static async Task<HttpResponseMessage> Get(TaskLensHost host, string path, string key)
    {
        using var client = Client(host, key);
        return await client.GetAsync(new Uri(path, UriKind.Relative));
    }

    /// <summary>Polls until the answer holds; an allowed non-200 answer returns an undefined element.</summary>
    private static async Task<JsonElement> UntilAsync(HttpClient client, string path, Func<JsonElement, bool> done, params HttpStatusCode[] allowed)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
            var body = await response.Content.ReadAsStringAsync();
            if (response.IsSuccessStatusCode)
            {
                var json = JsonDocument.Parse(body).RootElement.Clone();
                if (done(json))
                {
                    return json;
                }
            }
            else if (allowed.Contains(response.StatusCode))
            {
                return default;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{path} did not reach the expected state in 30 s: {(int)response.StatusCode} {body}");
            await Task.Delay(100);
        }
    }

    /// <summary>One goal run (a root span with a child) through the real SDK with the tenant's ingest key; its trace id.</summary>
    private static string Export(TaskLensHost host, string service, string ingestKey)
    {
        using var source = new ActivitySource("access-" + service);
        using var provider = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService(service))
            .AddSource(source.Name)
            .SetSampler(new AlwaysOnSampler())
            .AddOtlpExporter(o =>
            {
                o.Endpoint = host.GrpcEndpoint;
                o.Protocol = OtlpExportProtocol.Grpc;
                o.Headers = "Authorization=Bearer " + ingestKey;
            })
            .Build()!;
        string traceId;
        using (var root = source.StartActivity(service + " goal")!)
        {
            traceId = root.TraceId.ToHexString();
            source.StartActivity("tool call")!.Dispose();
        }

        Assert.True(provider.ForceFlush(10_000));
        return traceId;
    }

    private static async Task PostLogAsync(TaskLensHost host, string service, string ingestKey, string body)
    {
        var now = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000).ToString(CultureInfo.InvariantCulture);
        var json = $$$"""
            {"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"{{{service}}}"}}]},
              "scopeLogs":[{"logRecords":[{"timeUnixNano":"{{{now}}}","severityNumber":9,"body":{"stringValue":"{{{body}}}"}}]}]}]}
            """;
        using var response = await OtlpClient.PostHttpAsync(host.HttpLogsEndpoint, Encoding.UTF8.GetBytes(json), "application/json", authorization: "Bearer " + ingestKey);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task AlertAsync(TaskLensHost host, string token, string key, string summary)
    {
        using var response = await host.Api.PostAsJsonAsync(new Uri("/api/alerts/events", UriKind.Relative), new
        {
            routing_key = token,
            event_action = "trigger",
            dedup_key = key,
            payload = new { summary, source = key, severity = "error" },
        });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }
}
