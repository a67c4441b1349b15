using System.Net;
using System.Text.Json;
using TaskLens.IntegrationTests.Infrastructure;
using static TaskLens.IntegrationTests.Incidents.IncidentCalls;

namespace TaskLens.IntegrationTests.Incidents;

/// <summary>
/// Learning from people over real HTTP and ClickHouse: merges and splits done in triage are stored
/// (<c>grouping_decisions</c>) and shift how the same kinds of alerts are grouped later — also after a restart.
/// </summary>
[Collection(ClickHouseCollection.Name)]
public sealed class LearntGroupingTests(ClickHouseFixture clickHouse)
{
    [Fact]
    public async Task MergedTwice_TheThirdTimeArriveTogether_SplitTwice_TheThirdTimeArriveApart_AfterARestart()
    {
        var database = await clickHouse.CreateDatabaseAsync();
        await using (var host = await TaskLensHost.StartAsync(clickHouse.Url, database, Settings))
        {
            for (var round = 1; round <= 2; round++)
            {
                // The rules keep these apart (nothing shared); people merge them.
                await TriggerAsync(host, $"db-{round}", "Orders database connections saturated", "orders-db");
                await TriggerAsync(host, $"web-{round}", "Storefront page load slow", "storefront");
                var open = await ListUntilAsync(host, "status=triggered", i => i.GetArrayLength() == 2);
                Assert.Equal(2, open.GetArrayLength()); // after one merge the habit is not yet taken
                var (db, web) = (Named(open, "orders-db"), Named(open, "storefront"));
                var merged = await TriageAsync(host, Id(db), "merge", new { version = Version(db), incidents = new[] { new { id = Id(web), version = Version(web) } } });
                Assert.Equal(HttpStatusCode.OK, merged.Status);
                await ResolveAsync(host, $"db-{round}");
                await ResolveAsync(host, $"web-{round}");
                await ListUntilAsync(host, "status=triggered", i => i.GetArrayLength() == 0);

                // The rules join these (one service); people split them.
                await TriggerAsync(host, $"err-{round}", "Payments API errors rising", "payments");
                await TriggerAsync(host, $"cert-{round}", "Payments API certificate expiring", "payments");
                var joined = await ListUntilAsync(host, "status=triggered", i => i.GetArrayLength() == 1 && i[0].GetProperty("alerts").GetInt32() == 2);
                var split = await TriageAsync(host, Id(joined[0]), "split", new { version = Version(joined[0]), alerts = new[] { $"events:cert-{round}" } });
                Assert.Equal(HttpStatusCode.OK, split.Status);
                await ResolveAsync(host, $"err-{round}");
                await ResolveAsync(host, $"cert-{round}");
                await ListUntilAsync(host, "status=triggered", i => i.GetArrayLength() == 0);
            }
        }

        // A new process over the same ClickHouse remembers what people decided.
        await using var again = await TaskLensHost.StartAsync(clickHouse.Url, database, Settings);
        await TriggerAsync(again, "db-3", "Orders database connections saturated", "orders-db");
        await TriggerAsync(again, "web-3", "Storefront page load slow", "storefront");
        await TriggerAsync(again, "err-3", "Payments API errors rising", "payments");
        await TriggerAsync(again, "cert-3", "Payments API certificate expiring", "payments");
        var incidents = await ListUntilAsync(again, "status=triggered", i => i.EnumerateArray().Sum(x => x.GetProperty("alerts").GetInt32()) == 4);

        var together = Named(incidents, "orders-db");
        Assert.Equal(2, together.GetProperty("alerts").GetInt32());
        var webAlert = (await DetailAsync(again, Id(together))).GetProperty("alerts").EnumerateArray().Single(a => a.GetProperty("fingerprint").GetString() == "web-3");
        Assert.StartsWith("people merged 'storefront page load slow on storefront' with 'orders database connections saturated on orders-db' 2 times", webAlert.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, incidents.EnumerateArray().Count(i => i.GetProperty("services")[0].GetString() == "payments"));
        Assert.Equal(3, incidents.GetArrayLength());
    }

    private static JsonElement Named(JsonElement incidents, string service) =>
        incidents.EnumerateArray().Single(i => i.GetProperty("services").EnumerateArray().Any(s => s.GetString() == service));

    private static string Id(JsonElement incident) => incident.GetProperty("id").GetString()!;

    private static long Version(JsonElement incident) => incident.GetProperty("version").GetInt64();
}
