using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using TaskLens.IntegrationTests.Infrastructure;

namespace TaskLens.IntegrationTests.Incidents;

/// <summary>What the incident tests say to TaskLens over HTTP: alerts through the events API, then the incident API.</summary>
internal static class IncidentCalls
{
    public const string Token = "itest-incident-token-01";

    public static readonly Dictionary<string, string?> Settings = new()
    {
        ["TaskLens:Alerts:Tokens:0:Token"] = Token,
        ["TaskLens:Alerts:Tokens:0:Tenant"] = "default",
    };

    public static async Task TriggerAsync(TaskLensHost host, string key, string summary, string service, string severity = "error") =>
        await EventAsync(host, new
        {
            routing_key = Token,
            event_action = "trigger",
            dedup_key = key,
            payload = new { summary, source = service, severity, custom_details = new { service } },
        });

    public static async Task ResolveAsync(TaskLensHost host, string key) =>
        await EventAsync(host, new { routing_key = Token, event_action = "resolve", dedup_key = key });

    /// <summary>The incidents listed for a query, once <paramref name="done"/> holds for them.</summary>
    public static async Task<JsonElement> ListUntilAsync(TaskLensHost host, string query, Func<JsonElement, bool> done)
    {
        using var json = await host.GetUntilAsync("/api/incidents?" + query, d => done(d.RootElement.GetProperty("incidents")));
        return json.RootElement.GetProperty("incidents").Clone();
    }

    public static async Task<JsonElement> DetailAsync(TaskLensHost host, string id)
    {
        using var response = await host.Api.GetAsync(new Uri("/api/incidents/" + id, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static async Task<(HttpStatusCode Status, JsonElement Body)> TriageAsync(TaskLensHost host, string id, string action, object body)
    {
        using var response = await host.Api.PostAsJsonAsync(new Uri($"/api/incidents/{id}/{action}", UriKind.Relative), body);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    private static async Task EventAsync(TaskLensHost host, object body)
    {
        using var response = await host.Api.PostAsJsonAsync(new Uri("/api/alerts/events", UriKind.Relative), body);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }
}
