using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using TaskLens.Core.Access;
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
    }

    [Fact]
    public async Task ServicesPage_SignedInToOneTenant_NeverShowsAnotherTenantsData()
    {
        await using var host = await TaskLensHost.StartAsync(clickHouse, Keyed);
        var access = host.Services.GetRequiredService<AccessService>();
        await access.CreateUserAsync("globex", "gina", Role.Responder, Password, "root", CancellationToken.None);
        using (var acme = await OtlpClient.PostHttpAsync(host.HttpTracesEndpoint, Otlp.Request("acme-checkout", Otlp.Span(1), Otlp.Span(2)), authorization: "Bearer " + AcmeIngest))
        using (var globex = await OtlpClient.PostHttpAsync(host.HttpTracesEndpoint, Otlp.Request("globex-planner", Otlp.Span(3)), authorization: "Bearer " + GlobexIngest))
        {
            Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (acme.StatusCode, globex.StatusCode));
        }

        await host.WaitForStoredAsync();
        var root = await SignInAsync(host, "root");
        Assert.Equal(["acme-checkout"], (await root.Locator("#services .service-name").AllTextContentsAsync()).Select(n => n.Trim()));
        var gina = await SignInAsync(host, "gina");
        Assert.Equal(["globex-planner"], (await gina.Locator("#services .service-name").AllTextContentsAsync()).Select(n => n.Trim()));
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

    private static string Artifact(string name) => Path.Combine(AppContext.BaseDirectory, name);
}
