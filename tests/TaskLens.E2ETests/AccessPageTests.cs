using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using TaskLens.Core.Access;
using TaskLens.Core.Incidents;
using TaskLens.IntegrationTests.Infrastructure;
using TaskLens.IntegrationTests.Ingest;
using TaskLens.UnitTests.TestSupport;

namespace TaskLens.E2ETests;

/// <summary>Sign-in, roles and tenants in a real browser, outside open mode, against the real Program and ClickHouse.</summary>
[Collection(ClickHouseCollection.Name)]
public sealed class AccessPageTests(ClickHouseFixture clickHouse, BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private const string Password = "a long enough password";
    private const string AcmeIngest = "acme-ingest-key-0123456789";
    private const string GlobexIngest = "globex-ingest-key-0123456789";
    private const string GlobexAlerts = "globex-alert-token-0123456789";

    private static readonly Dictionary<string, string?> Keyed = new()
    {
        ["TaskLens:Ingest:OpenMode"] = "false",
        ["TaskLens:Ingest:ApiKeys:0:Key"] = AcmeIngest,
        ["TaskLens:Ingest:ApiKeys:0:Tenant"] = "acme",
        ["TaskLens:Ingest:ApiKeys:1:Key"] = GlobexIngest,
        ["TaskLens:Ingest:ApiKeys:1:Tenant"] = "globex",
        ["TaskLens:Alerts:Tokens:0:Token"] = GlobexAlerts,
        ["TaskLens:Alerts:Tokens:0:Tenant"] = "globex",
        ["TaskLens:Access:FirstAdmin:Name"] = "root",
        ["TaskLens:Access:FirstAdmin:Password"] = Password,
        ["TaskLens:Access:FirstAdmin:Tenant"] = "acme",
    };

    [Fact]
    public async Task SignIn_AsAdmin_CreatesAKeyShownOnce_AndSignsOut()
    {
        await using var host = await TaskLensHost.StartAsync(clickHouse, Keyed);
        var page = await browser.Browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });

        await page.GotoAsync($"http://127.0.0.1:{host.ApiPort}/admin");
        Assert.EndsWith("/signin?ReturnUrl=%2Fadmin", page.Url, StringComparison.Ordinal);
        await page.FillAsync("#name", "root");
        await page.ScreenshotAsync(new() { Path = Artifact("signin-page.png"), FullPage = true });
        await page.FillAsync("#password", "wrong password, long enough");
        await page.ClickAsync("#sign-in");
        Assert.Contains("Wrong name or password", await page.TextContentAsync("#signin-error"), StringComparison.Ordinal);
        await page.FillAsync("#name", "root");
        await page.FillAsync("#password", Password);
        await page.ClickAsync("#sign-in");

        Assert.EndsWith("/admin", page.Url, StringComparison.Ordinal);
        Assert.Contains("Signed in as root (admin, tenant acme)", await page.TextContentAsync("#signed-in-as"), StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("#open-mode-banner").CountAsync());

        await page.FillAsync("#new-user-name", "vera");
        await page.SelectOptionAsync("#new-user-role", "Viewer");
        await page.FillAsync("#new-user-password", Password);
        await page.ClickAsync("#add-user");
        Assert.Equal(["root", "vera"], (await page.Locator("#users .user-name").AllTextContentsAsync()).Select(n => n.Trim()));

        await page.SelectOptionAsync("#new-key-kind", "ApiRead");
        await page.FillAsync("#new-key-name", "grafana");
        await page.ClickAsync("#add-key");
        var secret = (await page.TextContentAsync("#secret-value"))!.Trim();
        Assert.StartsWith("tlk_", secret, StringComparison.Ordinal);
        await page.ScreenshotAsync(new() { Path = Artifact("admin-page.png"), FullPage = true });

        // The secret works on the API, and is never shown again.
        using (var api = new HttpClient { BaseAddress = host.Api.BaseAddress })
        {
            api.DefaultRequestHeaders.Authorization = new("Bearer", secret);
            using var services = await api.GetAsync(new Uri("/api/services", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, services.StatusCode);
        }

        await page.GotoAsync($"http://127.0.0.1:{host.ApiPort}/admin");
        Assert.Equal(0, await page.Locator("#secret-value").CountAsync());
        Assert.DoesNotContain(secret[8..], await page.ContentAsync(), StringComparison.Ordinal);

        // Promote vera and disable her in one change; then revoke the key: it stops working at once.
        await page.ClickAsync("a[aria-label='Edit vera']");
        await page.SelectOptionAsync("#edit-role", "Responder");
        await page.UncheckAsync("#edit-active");
        await page.ClickAsync("#save-user");
        Assert.EndsWith("/admin", page.Url, StringComparison.Ordinal);
        Assert.Equal(["admin", "responder"], (await page.Locator("#users .user-role").AllTextContentsAsync()).Select(n => n.Trim()));
        Assert.Contains("disabled", await page.TextContentAsync("#users"), StringComparison.Ordinal);
        await page.ClickAsync("a[aria-label='Revoke grafana']");
        await page.ClickAsync("#revoke");
        Assert.StartsWith("revoked", (await page.TextContentAsync("#keys .key-status"))!.Trim(), StringComparison.Ordinal);
        using (var api = new HttpClient { BaseAddress = host.Api.BaseAddress })
        {
            api.DefaultRequestHeaders.Authorization = new("Bearer", secret);
            using var refused = await api.GetAsync(new Uri("/api/services", UriKind.Relative));
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        await page.ClickAsync("#sign-out");
        Assert.EndsWith("/signin", page.Url, StringComparison.Ordinal);
        await page.GotoAsync($"http://127.0.0.1:{host.ApiPort}/admin");
        Assert.Contains("/signin", page.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Viewer_CannotTriageNorManageAccess()
    {
        await using var host = await TaskLensHost.StartAsync(clickHouse, Keyed);
        var access = host.Services.GetRequiredService<AccessService>();
        await access.CreateUserAsync("globex", "vera", Role.Viewer, Password, "root", CancellationToken.None);
        using (var alert = await host.Api.PostAsJsonAsync(new Uri("/api/alerts/events", UriKind.Relative), new
        {
            routing_key = GlobexAlerts,
            event_action = "trigger",
            dedup_key = "globex-cpu",
            payload = new { summary = "CPU hot on globex-api", source = "globex-api", severity = "error" },
        }))
        {
            Assert.Equal(HttpStatusCode.Accepted, alert.StatusCode);
        }

        var page = await SignInAsync(host, "vera");
        await page.GotoAsync($"http://127.0.0.1:{host.ApiPort}/admin");
        Assert.Contains("/denied", page.Url, StringComparison.Ordinal);
        Assert.Contains("vera may not open that page", await page.TextContentAsync("#denied"), StringComparison.Ordinal);

        // The incident page as vera sees it: she reads the incident, the triage panel says it is read only, and every
        // control that would change the incident is disabled. Clicking them anyway (past Playwright's own checks) and
        // typing a note changes nothing.
        await Dashboard.GoAsync(page, host.ApiPort, "incidents");
        await page.ClickAsync("a.incident-id");
        await page.WaitForSelectorAsync("#incident-title");
        await page.WaitForSelectorAsync("#app[data-interactive='true']");
        var before = await StoredIncidentAsync(host);
        Assert.Equal("triggered", (await page.TextContentAsync(".incident-state .status"))?.Trim());
        await Assertions.Expect(page.Locator("#triage-read-only")).ToContainTextAsync("Read only: your role can read incidents but not triage them.");
        foreach (var control in new[] { "#triage-ack", "#triage-resolve", "#triage-reopen", "#triage-assign", "#triage-severity", "#triage-note", "#triage-merge" })
        {
            await Assertions.Expect(page.Locator(control)).ToBeDisabledAsync();
        }

        await page.FillAsync("#triage-note-text", "I would like to note this");
        await Assertions.Expect(page.Locator("#triage-note")).ToBeDisabledAsync();
        await page.ClickAsync("#triage-ack", new() { Force = true });
        await page.ClickAsync("#triage-note", new() { Force = true });
        await Screenshots.TakeAsync(page, "incident-viewer");

        // The page's own fetch, with the sign-in cookie and the antiforgery token: the role, not the form, refuses triage.
        var answers = await page.EvaluateAsync<int[]>("""
            async () => {
              const incidents = await (await fetch('/api/incidents')).json();
              const session = await (await fetch('/api/session')).json();
              const incident = incidents.incidents[0];
              const answer = await fetch(`/api/incidents/${incident.id}/ack`, {
                method: 'POST',
                headers: { 'Content-Type': 'application/json', [session.antiforgery.header]: session.antiforgery.token },
                body: JSON.stringify({ version: incident.version })
              });
              return [incidents.incidents.length, answer.status];
            }
            """);
        Assert.Equal([1, 403], answers);

        // Nothing was triaged: the page loaded afresh shows it triggered with no triage in its timeline, and the store
        // holds the same triage state (the brief writer may add a version of its own meanwhile; that is not triage).
        await page.ReloadAsync();
        await page.WaitForSelectorAsync("#app[data-interactive='true']");
        Assert.Equal("triggered", (await page.TextContentAsync(".incident-state .status"))?.Trim());
        Assert.Equal(0, await page.Locator(".timeline-acknowledged, .timeline-noted, .timeline-assigned, .timeline-resolved").CountAsync());
        var after = await StoredIncidentAsync(host);
        Assert.Equal(
            (IncidentStatus.Triggered, before.TriageVersion, before.Assignee, before.Severity),
            (after.Status, after.TriageVersion, after.Assignee, after.Severity));
    }

    private static async Task<Incident> StoredIncidentAsync(TaskLensHost host) => Assert.Single(await host.Services.GetRequiredService<IIncidentStore>().ListAsync(
        new IncidentQuery("globex", DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddMinutes(1), null, null, null, null, 10), CancellationToken.None));

    [Fact]
    public async Task ServicesPage_SignedInToOneTenant_NeverShowsAnotherTenantsData()
    {
        await using var host = await TaskLensHost.StartAsync(clickHouse, Keyed);
        var access = host.Services.GetRequiredService<AccessService>();
        await access.CreateUserAsync("globex", "gina", Role.Responder, Password, "root", CancellationToken.None);
        // Spans of now: the services page shows the last hour.
        using (var acme = await OtlpClient.PostHttpAsync(host.HttpTracesEndpoint, Otlp.Request("acme-checkout", RecentSpan(1), RecentSpan(2)), authorization: "Bearer " + AcmeIngest))
        using (var globex = await OtlpClient.PostHttpAsync(host.HttpTracesEndpoint, Otlp.Request("globex-planner", RecentSpan(3)), authorization: "Bearer " + GlobexIngest))
        {
            Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (acme.StatusCode, globex.StatusCode));
        }

        await host.WaitForStoredAsync();
        var root = await SignInAsync(host, "root");
        await root.GotoAsync($"http://127.0.0.1:{host.ApiPort}/services");
        // The page loads again once its circuit starts: wait for its answer rather than read between the two.
        await Assertions.Expect(root.Locator("#services .service-name")).ToHaveTextAsync(["acme-checkout"]);
        var gina = await SignInAsync(host, "gina");
        await gina.GotoAsync($"http://127.0.0.1:{host.ApiPort}/services");
        await Assertions.Expect(gina.Locator("#services .service-name")).ToHaveTextAsync(["globex-planner"]);
        Assert.DoesNotContain("acme", await gina.ContentAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenMode_EveryPageSaysSo()
    {
        await using var host = await TaskLensHost.StartAsync(clickHouse);
        var page = await browser.Browser.NewPageAsync();

        foreach (var path in new[] { "/", "/admin", "/signin" })
        {
            await page.GotoAsync($"http://127.0.0.1:{host.ApiPort}{path}");
            Assert.Contains("Open mode:", await page.TextContentAsync("#open-mode-banner"), StringComparison.Ordinal);
        }
    }

    private async Task<IPage> SignInAsync(TaskLensHost host, string name)
    {
        // A context of its own: cookies are per context, so two users can be signed in side by side.
        var context = await browser.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync($"http://127.0.0.1:{host.ApiPort}/signin");
        await page.FillAsync("#name", name);
        await page.FillAsync("#password", Password);
        await page.ClickAsync("#sign-in");
        Assert.Contains($"Signed in as {name}", await page.TextContentAsync("#signed-in-as"), StringComparison.Ordinal);
        return page;
    }

    private static Action<ProtoBuilder> RecentSpan(byte seed)
    {
        var start = (ulong)(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - seed) * 1_000_000UL;
        return s => s
            .BytesField(1, Otlp.TraceId(1))
            .BytesField(2, Otlp.SpanId(seed))
            .StringField(5, "op")
            .Fixed64Field(7, start)
            .Fixed64Field(8, start + 500);
    }

    private static string Artifact(string name) => Path.Combine(AppContext.BaseDirectory, name);
}
