using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TaskLens.Core;
using TaskLens.Core.Access;
using TaskLens.IntegrationTests.Infrastructure;
using static TaskLens.IntegrationTests.Incidents.IncidentCalls;
using static TaskLens.IntegrationTests.Slack.SlackCalls;

namespace TaskLens.IntegrationTests.Slack;

/// <summary>
/// Buttons and the slash command, signed as Slack signs them, through the real Program and ClickHouse: they run the same
/// triage as the API under the linked TaskLens user and the message then says who did what; unlinked users are told how
/// to link and change nothing; replayed, tampered, stale, wrong-secret and unsigned requests are refused and change nothing.
/// </summary>
[Collection(ClickHouseCollection.Name)]
public sealed class SlackInteractivityTests(ClickHouseFixture clickHouse)
{
    [Fact]
    public async Task Buttons_RunTriageAsTheLinkedUser_AndTheMessageShowsWhoDidWhat_UnlinkedUsersChangeNothing()
    {
        await using var slack = await FakeSlack.StartAsync(AlertsChannel);
        await using var host = await TaskLensHost.StartAsync(clickHouse, Settings(slack));
        await TriggerAsync(host, "b1", "Checkout error rate 7%", "checkout", "critical");
        var ts = (await UntilAsync(slack, c => c.Any(x => x.IsNewMessage))).Single(c => c.IsNewMessage).Ts;

        var (status, _) = await SignedAsync(host, "/api/slack/interactions", Click(Button(slack, AlertsChannel, ts, "tasklens_ack"), "U0ANA", AlertsChannel, ts));
        Assert.Equal(HttpStatusCode.OK, status);
        var incident = (await ListUntilAsync(host, "", i => i[0].GetProperty("status").GetString() == "acknowledged"))[0];
        var id = incident.GetProperty("id").GetString()!;
        Assert.Equal("ana", (await DetailAsync(host, id)).GetProperty("timeline").EnumerateArray().Last().GetProperty("actor").GetString());
        var calls = await UntilAsync(slack, c => c.Any(x => x.Method == "chat.update" && x.BlockText.Contains("Acknowledged by *ana* (<@U0ANA>)", StringComparison.Ordinal))
            && c.Any(x => x.IsThreadReply && x.ThreadTs == ts && x.Text.Contains("Acknowledged by *ana*", StringComparison.Ordinal))
            && c.Any(x => x.Method == "chat.postEphemeral" && x.User == "U0ANA" && x.Text.StartsWith("Done: ", StringComparison.Ordinal)));
        Assert.Throws<InvalidOperationException>(() => Button(slack, AlertsChannel, ts, "tasklens_ack"));

        // An unlinked Slack user is told how to link, and nothing changes.
        var version = incident.GetProperty("version").GetInt64();
        var resolveSeenBeforeAssign = Button(slack, AlertsChannel, ts, "tasklens_resolve");
        (status, _) = await SignedAsync(host, "/api/slack/interactions", Click(Button(slack, AlertsChannel, ts, "tasklens_resolve"), "U0EVE", AlertsChannel, ts));
        Assert.Equal(HttpStatusCode.OK, status);
        calls = await UntilAsync(slack, c => c.Any(x => x.Method == "chat.postEphemeral" && x.User == "U0EVE"));
        Assert.Contains("not linked to a TaskLens user", calls.Single(c => c.User == "U0EVE").Text, StringComparison.Ordinal);
        Assert.Equal(("acknowledged", version), State(await DetailAsync(host, id)));

        // Links are made on the TaskLens host only: not through a proxy, even one on the same host.
        using (var forwarded = new HttpRequestMessage(HttpMethod.Put, new Uri("/api/slack/links/U0EVE", UriKind.Relative)) { Content = JsonContent.Create(new { user = "eve" }) })
        {
            forwarded.Headers.Add("X-Forwarded-For", "203.0.113.9");
            using var refused = await host.Api.SendAsync(forwarded);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        // Once linked (from the TaskLens host), the same person can act.
        using (var link = await host.Api.PutAsJsonAsync(new Uri("/api/slack/links/U0EVE", UriKind.Relative), new { user = "eve" }))
        {
            Assert.Equal(HttpStatusCode.OK, link.StatusCode);
        }

        (status, _) = await SignedAsync(host, "/api/slack/interactions", Click(Button(slack, AlertsChannel, ts, "tasklens_assign_me"), "U0EVE", AlertsChannel, ts));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("eve", (await DetailAsync(host, id)).GetProperty("incident").GetProperty("assignee").GetString());
        await UntilAsync(slack, c => c.Any(x => x.Method == "chat.update" && x.BlockText.Contains("Assigned to *eve* (<@U0EVE>) by *eve*", StringComparison.Ordinal)));

        // A button on a message drawn before that triage change is stale: nothing changes, the person is told why.
        (status, _) = await SignedAsync(host, "/api/slack/interactions", Click(resolveSeenBeforeAssign, "U0ANA", AlertsChannel, ts));
        Assert.Equal(HttpStatusCode.OK, status);
        await UntilAsync(slack, c => c.Any(x => x.Method == "chat.postEphemeral" && x.User == "U0ANA" && x.Text.Contains("changed since this message showed it", StringComparison.Ordinal)));
        Assert.Equal("acknowledged", State(await DetailAsync(host, id)).Status);

        (status, _) = await SignedAsync(host, "/api/slack/interactions", Click(Button(slack, AlertsChannel, ts, "tasklens_resolve"), "U0ANA", AlertsChannel, ts));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("resolved", State(await DetailAsync(host, id)).Status);
        calls = await UntilAsync(slack, c => c.Any(x => x.Method == "chat.update" && x.BlockText.Contains("Resolved by *ana* (<@U0ANA>)", StringComparison.Ordinal)));
        Assert.Throws<InvalidOperationException>(() => Button(slack, AlertsChannel, ts, "tasklens_resolve"));
    }

    [Fact]
    public async Task Signatures_ReplayedTamperedStaleWrongSecretAndUnsigned_AreRefused_AndChangeNothing()
    {
        await using var slack = await FakeSlack.StartAsync(AlertsChannel);
        await using var host = await TaskLensHost.StartAsync(clickHouse, Settings(slack));
        await TriggerAsync(host, "s1", "Checkout error rate 7%", "checkout", "critical");
        var ts = (await UntilAsync(slack, c => c.Any(x => x.IsNewMessage))).Single(c => c.IsNewMessage).Ts;
        var ack = Click(Button(slack, AlertsChannel, ts, "tasklens_ack"), "U0ANA", AlertsChannel, ts);
        var resolve = Click(Button(slack, AlertsChannel, ts, "tasklens_resolve"), "U0ANA", AlertsChannel, ts);
        var id = (await ListUntilAsync(host, "", i => i.GetArrayLength() == 1))[0].GetProperty("id").GetString()!;

        // A genuine request acknowledges; everything after it is refused.
        var timestamp = Now();
        var signature = Sign(SigningSecret, timestamp, ack);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(host, "/api/slack/interactions", ack, timestamp, signature)).Status);
        var before = await DetailAsync(host, id);
        Assert.Equal("acknowledged", State(before).Status);
        var ephemerals = slack.Calls.Count(c => c.Method == "chat.postEphemeral");

        var stale = (DateTimeOffset.UtcNow - TimeSpan.FromMinutes(6)).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var refused = new (string What, string Path, string Body, string? Timestamp, string? Signature)[]
        {
            ("replayed", "/api/slack/interactions", ack, timestamp, signature),
            ("tampered", "/api/slack/interactions", resolve, timestamp, signature),
            ("stale", "/api/slack/interactions", resolve, stale, Sign(SigningSecret, stale, resolve)),
            ("future", "/api/slack/interactions", resolve, (DateTimeOffset.UtcNow + TimeSpan.FromMinutes(6)).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), null),
            ("wrong secret", "/api/slack/interactions", resolve, Now(), Sign("another-apps-secret", Now(), resolve)),
            ("unsigned", "/api/slack/interactions", resolve, null, null),
            ("no timestamp", "/api/slack/interactions", resolve, null, Sign(SigningSecret, Now(), resolve)),
            ("garbage timestamp", "/api/slack/interactions", resolve, "soon", Sign(SigningSecret, "soon", resolve)),
            ("command wrong secret", "/api/slack/commands", Command($"ack {id}", "U0ANA"), Now(), Sign("another-apps-secret", Now(), Command($"ack {id}", "U0ANA"))),
            ("command unsigned", "/api/slack/commands", Command("list", "U0ANA"), null, null),
        };
        foreach (var (what, path, body, ts2, sig) in refused)
        {
            var future = what == "future" ? Sign(SigningSecret, ts2!, body) : sig;
            (HttpStatusCode status, string text) = await PostAsync(host, path, body, ts2, future);
            Assert.True(status == HttpStatusCode.Unauthorized, $"{what}: {(int)status} {text}");
            Assert.DoesNotContain("incident", text, StringComparison.OrdinalIgnoreCase);
        }

        var after = await DetailAsync(host, id);
        Assert.Equal(State(before), State(after));
        Assert.Equal(before.GetProperty("timeline").GetArrayLength(), after.GetProperty("timeline").GetArrayLength());
        Assert.Equal(ephemerals, slack.Calls.Count(c => c.Method == "chat.postEphemeral"));
    }

    [Fact]
    public async Task SlashCommand_ListsShowsAndAcknowledges_AsTheLinkedUser()
    {
        await using var slack = await FakeSlack.StartAsync(AlertsChannel);
        await using var host = await TaskLensHost.StartAsync(clickHouse, Settings(slack));
        await TriggerAsync(host, "c1", "Checkout error rate 7% <!here>", "checkout", "critical");
        await TriggerAsync(host, "c2", "Search index replication lag", "search", "warning");
        var incidents = await ListUntilAsync(host, "", i => i.GetArrayLength() == 2);
        var checkout = incidents.EnumerateArray().Single(i => i.GetProperty("services")[0].GetString() == "checkout").GetProperty("id").GetString()!;

        using var list = Reply(await SignedAsync(host, "/api/slack/commands", Command("list", "U0EVE")));
        Assert.Equal("ephemeral", list.RootElement.GetProperty("response_type").GetString());
        var listed = list.RootElement.GetProperty("text").GetString()!;
        Assert.StartsWith("*2 open incidents*", listed, StringComparison.Ordinal);
        Assert.Contains($"|{checkout}>", listed, StringComparison.Ordinal);
        Assert.Contains("&lt;!here&gt;", listed, StringComparison.Ordinal);

        using var show = Reply(await SignedAsync(host, "/api/slack/commands", Command($"show {checkout}", "U0EVE")));
        var blocks = show.RootElement.GetProperty("blocks");
        Assert.Equal("header", blocks[0].GetProperty("type").GetString());
        Assert.Contains(checkout, blocks[0].GetProperty("text").GetProperty("text").GetString()!, StringComparison.Ordinal);

        using var unlinked = Reply(await SignedAsync(host, "/api/slack/commands", Command($"ack {checkout}", "U0EVE")));
        Assert.Contains("not linked to a TaskLens user", unlinked.RootElement.GetProperty("text").GetString()!, StringComparison.Ordinal);
        Assert.Equal("triggered", State(await DetailAsync(host, checkout)).Status);

        using var ack = Reply(await SignedAsync(host, "/api/slack/commands", Command($"ack {checkout}", "U0ANA")));
        Assert.StartsWith($"Done: {checkout} acknowledged", ack.RootElement.GetProperty("text").GetString()!, StringComparison.Ordinal);
        var detail = await DetailAsync(host, checkout);
        Assert.Equal(("acknowledged", "ana"), (State(detail).Status, detail.GetProperty("timeline").EnumerateArray().Last().GetProperty("actor").GetString()));

        using var missing = Reply(await SignedAsync(host, "/api/slack/commands", Command("show inc-999", "U0ANA")));
        Assert.Equal("There is no incident inc-999.", missing.RootElement.GetProperty("text").GetString());
        using var help = Reply(await SignedAsync(host, "/api/slack/commands", Command("dance", "U0ANA")));
        Assert.StartsWith("Usage: `/tasklens list`", help.RootElement.GetProperty("text").GetString()!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OutsideOpenMode_SlackSignatureIsTheLock_AndLinksNeedAnAdmin()
    {
        await using var slack = await FakeSlack.StartAsync(AlertsChannel);
        await using var host = await TaskLensHost.StartAsync(clickHouse, Settings(slack, new Dictionary<string, string?> { ["TaskLens:Ingest:OpenMode"] = "false" }));

        using var list = Reply(await SignedAsync(host, "/api/slack/commands", Command("list", "U0ANA")));
        Assert.Equal("No open incidents.", list.RootElement.GetProperty("text").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(host, "/api/slack/commands", Command("list", "U0ANA"), null, null)).Status);
        using var link = await host.Api.PutAsJsonAsync(new Uri("/api/slack/links/U0EVE", UriKind.Relative), new { user = "eve" });
        Assert.Equal(HttpStatusCode.Unauthorized, link.StatusCode);

        // A link decides whose name a Slack user acts under: a key that may triage may not make one.
        var access = host.Services.GetRequiredService<AccessService>();
        var triageKey = (await access.CreateKeyAsync(Tenants.Default, KeyKind.ApiTriage, "bot", "root", CancellationToken.None)).Secret!;
        using var asResponder = new HttpRequestMessage(HttpMethod.Put, new Uri("/api/slack/links/U0EVE", UriKind.Relative)) { Content = JsonContent.Create(new { user = "eve" }) };
        asResponder.Headers.Authorization = new("Bearer", triageKey);
        using var refused = await host.Api.SendAsync(asResponder);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Fact]
    public async Task Link_OnceUsersExist_MustNameAnActiveUserOfTheAdminsTenant()
    {
        await using var slack = await FakeSlack.StartAsync(AlertsChannel);
        await using var host = await TaskLensHost.StartAsync(clickHouse, Settings(slack));
        var access = host.Services.GetRequiredService<AccessService>();
        await access.CreateUserAsync(Tenants.Default, "rita", Role.Responder, "correct horse battery", "cli", CancellationToken.None);
        await access.CreateUserAsync("globex", "gina", Role.Responder, "correct horse battery", "cli", CancellationToken.None);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, await LinkAsync(host, "nobody"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, await LinkAsync(host, "gina"));
        Assert.Equal(HttpStatusCode.OK, await LinkAsync(host, "rita"));
    }

    private static async Task<HttpStatusCode> LinkAsync(TaskLensHost host, string user)
    {
        using var answer = await host.Api.PutAsJsonAsync(new Uri("/api/slack/links/U0RITA", UriKind.Relative), new { user });
        return answer.StatusCode;
    }

    private static (string Status, long Version) State(JsonElement detail) =>
        (detail.GetProperty("incident").GetProperty("status").GetString()!, detail.GetProperty("incident").GetProperty("version").GetInt64());

    private static JsonDocument Reply((HttpStatusCode Status, string Body) answer)
    {
        Assert.True(answer.Status == HttpStatusCode.OK, $"{(int)answer.Status} {answer.Body}");
        return JsonDocument.Parse(answer.Body);
    }
}
