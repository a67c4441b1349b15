using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using TaskLens.IntegrationTests.Infrastructure;
using TaskLens.Server;
using Xunit.Abstractions;
using static TaskLens.IntegrationTests.Incidents.IncidentCalls;
using static TaskLens.IntegrationTests.Slack.SlackCalls;

namespace TaskLens.IntegrationTests.Slack;

/// <summary>
/// Incidents in Slack through the real Program, real alert intake and real ClickHouse, against a loopback fake of Slack's
/// Web API that enforces its token, pacing and Block Kit limits: an alert storm folds into one message per incident, edited
/// and threaded within the pacing; a restart edits the same message; 429s are waited out; webhook mode posts only.
/// </summary>
[Collection(ClickHouseCollection.Name)]
public sealed partial class SlackDeliveryTests(ClickHouseFixture clickHouse, ITestOutputHelper output)
{
    private const int AlertsPerService = 100;

    [Fact]
    public async Task AlertStorm_OfHundredsOfAlerts_IsOneMessagePerIncident_EditedAndThreaded_WithinThePacing()
    {
        await using var slack = await FakeSlack.StartAsync(AlertsChannel, PaymentsChannel, PagerChannel);
        await using var host = await TaskLensHost.StartAsync(clickHouse, Settings(slack, new Dictionary<string, string?>
        {
            ["TaskLens:Slack:Routes:0:Service"] = "payments",
            ["TaskLens:Slack:Routes:0:Channel"] = PaymentsChannel,
            ["TaskLens:Slack:Routes:1:MinSeverity"] = "critical",
            ["TaskLens:Slack:Routes:1:Channel"] = PagerChannel,
        }));

        // Three services flood at once, each in its own words: three incidents, three channels by the routes.
        var services = new (string Service, string Words, string Severity, string Channel)[]
        {
            ("checkout", "Checkout HTTP 5xx burst on pod", "critical", PagerChannel),
            ("payments", "Payment gateway timeouts for card batch", "warning", PaymentsChannel),
            ("search", "Search index replication lag on shard", "warning", AlertsChannel),
        };
        await Task.WhenAll(services.Select(async s =>
        {
            for (var i = 0; i < AlertsPerService; i++)
            {
                await TriggerAsync(host, $"{s.Service}-{i}", $"{s.Words} {s.Service}-{i} <!channel> & <@U0EVIL>", s.Service, s.Severity);
            }
        }));

        var incidents = await ListUntilAsync(host, "", i => i.GetArrayLength() == 3 && i.EnumerateArray().All(x => x.GetProperty("alerts").GetInt32() == AlertsPerService));
        // Done when every message shows all its alerts and every alert was told in its thread.
        var calls = await UntilAsync(slack, c => services.All(s => Latest(c, s.Channel) is { } m
            && m.BlockText.Contains($"*Alerts*\n{AlertsPerService} firing of {AlertsPerService}", StringComparison.Ordinal)
            && c.Where(r => r.IsThreadReply && r.Channel == s.Channel).Sum(r => Joined(r.Text)) >= AlertsPerService), 60);

        foreach (var (service, _, _, channel) in services)
        {
            var id = incidents.EnumerateArray().Single(i => i.GetProperty("services")[0].GetString() == service).GetProperty("id").GetString()!;
            var posted = Assert.Single(calls, c => c.IsNewMessage && c.Channel == channel);
            Assert.Contains($"{id}: ", posted.BlockText, StringComparison.Ordinal);
            var updates = calls.Where(c => c.Method == "chat.update" && c.Channel == channel).ToList();
            var replies = calls.Where(c => c.IsThreadReply && c.Channel == channel).ToList();
            // Edited in place as alerts join; when the storm was taken before the first post, that post already shows them all.
            Assert.True(updates.Count > 0 || posted.BlockText.Contains($"{AlertsPerService} firing of {AlertsPerService}", StringComparison.Ordinal), $"{service}: never edited, and the first post does not show every alert");
            Assert.All(updates, u => Assert.Equal(posted.Ts, u.Ts));
            Assert.All(replies, r => Assert.Equal(posted.Ts, r.ThreadTs));

            // Every alert is told once in the thread, summarized: never one message per alert.
            Assert.Equal(AlertsPerService, replies.Sum(r => Joined(r.Text)));
            Assert.True(1 + updates.Count + replies.Count < AlertsPerService, $"{service}: {updates.Count} edits and {replies.Count} replies for {AlertsPerService} alerts");
            output.WriteLine($"{service}: 1 message, {updates.Count} edits, {replies.Count} thread replies");

            // At most one edit per incident per coalescing interval (2 s here), at most one message a second per channel.
            var edits = updates.Select(u => u.At).Prepend(posted.At).ToList();
            Assert.All(edits.Zip(edits.Skip(1)), p => Assert.True(p.Second - p.First >= TimeSpan.FromSeconds(1.95), $"{service}: edits {p.First:O} and {p.Second:O}"));
            var sent = calls.Where(c => c.Channel == channel && c.Method != "chat.postEphemeral").Select(c => c.At).Order().ToList();
            Assert.All(sent.Zip(sent.Skip(1)), p => Assert.True(p.Second - p.First >= TimeSpan.FromSeconds(0.99), $"{channel}: messages {p.First:O} and {p.Second:O}"));

            // Alert text is shown, never as a mention or markup.
            Assert.Contains("&lt;!channel&gt; &amp; &lt;@U0EVIL&gt;", string.Concat(replies.Select(r => r.Text)), StringComparison.Ordinal);
            Assert.DoesNotContain("<!channel>", posted.BlockText + string.Concat(updates.Select(u => u.BlockText + u.Text)) + string.Concat(replies.Select(r => r.Text)), StringComparison.Ordinal);
            Assert.DoesNotContain("<@U0EVIL>", string.Concat(calls.Select(c => c.BlockText + c.Text)), StringComparison.Ordinal);
        }

        Assert.DoesNotContain(slack.Calls, c => c.Error is not null);
    }

    [Fact]
    public async Task Restart_EditsTheSameMessage_AndThreadsWhatChangedMeanwhile()
    {
        await using var slack = await FakeSlack.StartAsync(AlertsChannel);
        var settings = Settings(slack);
        string database;
        string ts;
        await using (var first = await TaskLensHost.StartAsync(clickHouse, settings))
        {
            database = first.Database;
            await TriggerAsync(first, "r1", "Checkout error rate 7%", "checkout", "warning");
            ts = (await UntilAsync(slack, c => c.Any(x => x.IsNewMessage))).Single(c => c.IsNewMessage).Ts;
            await UntilAsync(slack, c => c.Any(x => x.IsThreadReply));
        }

        await using var second = await TaskLensHost.StartAsync(clickHouse.Url, database, settings);
        await TriggerAsync(second, "r2", "Checkout latency p99 2 s", "checkout", "warning");
        var calls = await UntilAsync(slack, c => c.Any(x => x.Method == "chat.update" && x.BlockText.Contains("*Alerts*\n2 firing of 2", StringComparison.Ordinal))
            && c.Count(x => x.IsThreadReply) == 2);

        Assert.Single(calls, c => c.IsNewMessage);
        Assert.All(calls.Where(c => c.Method == "chat.update"), u => Assert.Equal(ts, u.Ts));
        var reply = calls.Where(c => c.IsThreadReply).ToList();
        Assert.Equal(2, reply.Count);
        Assert.All(reply, r => Assert.Equal(ts, r.ThreadTs));
        Assert.StartsWith("*1 alert joined*: Checkout latency p99 2 s", reply[^1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RateLimited_429WithRetryAfter_IsWaitedOut_AndPostsOnce()
    {
        await using var slack = await FakeSlack.StartAsync(AlertsChannel);
        await using var host = await TaskLensHost.StartAsync(clickHouse, Settings(slack));
        slack.RateLimitNext(2, 2);

        await TriggerAsync(host, "t1", "Search index lag", "search", "warning");
        var calls = await UntilAsync(slack, c => c.Any(x => x.IsNewMessage));

        var refused = slack.Calls.Where(c => c.Error == "ratelimited").ToList();
        Assert.Equal(2, refused.Count);
        var posted = Assert.Single(calls, c => c.IsNewMessage);
        Assert.True(refused[1].At - refused[0].At >= TimeSpan.FromSeconds(1.9), "the second try came before Retry-After");
        Assert.True(posted.At - refused[1].At >= TimeSpan.FromSeconds(1.9), "the third try came before Retry-After");
    }

    [Fact]
    public async Task DeletedMessage_IsPostedAgain_AndLaterChangesEditTheNewOne()
    {
        await using var slack = await FakeSlack.StartAsync(AlertsChannel);
        await using var host = await TaskLensHost.StartAsync(clickHouse, Settings(slack));
        await TriggerAsync(host, "d1", "Checkout error rate 7%", "checkout", "warning");
        var first = (await UntilAsync(slack, c => c.Any(x => x.IsThreadReply))).Single(c => c.IsNewMessage);
        slack.Delete(AlertsChannel, first.Ts);

        await TriggerAsync(host, "d2", "Checkout latency p99 2 s", "checkout", "warning");
        var calls = await UntilAsync(slack, c => c.Count(x => x.IsNewMessage) == 2 && c.Count(x => x.IsThreadReply) == 2);
        var second = calls.Last(c => c.IsNewMessage);
        Assert.Equal(second.Ts, calls.Last(c => c.IsThreadReply).ThreadTs);
        Assert.Contains(slack.Calls, c => c.Method == "chat.update" && c.Error == "message_not_found");
    }

    [Fact]
    public async Task WebhookMode_PostsWhenOpenedAndWhenResolved_WithoutEditsOrTriageButtons()
    {
        await using var slack = await FakeSlack.StartAsync();
        await using var host = await TaskLensHost.StartAsync(clickHouse, new Dictionary<string, string?>(TaskLens.IntegrationTests.Incidents.IncidentCalls.Settings)
        {
            ["TaskLens:Slack:WebhookUrl"] = slack.WebhookUrl.AbsoluteUri,
            ["TaskLens:Slack:CoalesceInterval"] = "00:00:01",
        });

        await TriggerAsync(host, "w1", "Checkout error rate 7%", "checkout", "critical");
        await TriggerAsync(host, "w2", "Checkout latency p99 2 s", "checkout", "critical");
        await UntilAsync(slack, c => c.Count == 1);
        await ResolveAsync(host, "w1");
        await ResolveAsync(host, "w2");
        var calls = await UntilAsync(slack, c => c.Count == 2);
        await Task.Delay(2500);

        Assert.Equal(["webhook", "webhook"], slack.Calls.Select(c => c.Method));
        Assert.Contains("triggered", calls[0].BlockText, StringComparison.Ordinal);
        Assert.Contains("*Status*\nresolved", calls[1].BlockText, StringComparison.Ordinal);
        Assert.All(calls, c => Assert.DoesNotContain("Acknowledge", c.BlockText, StringComparison.Ordinal));
        Assert.Contains("Open in TaskLens", calls[0].BlockText, StringComparison.Ordinal);
        var (status, _) = await SignedAsync(host, "/api/slack/interactions", "payload=%7B%7D");
        // Not mapped: the dashboard's page routes answer other methods on unknown paths with 405.
        Assert.True(status is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed, $"{(int)status}");
    }

    [Fact]
    public async Task InvalidSettings_StopStartUp_ListingEveryError_WithoutTheToken()
    {
        await using var app = Program.Create(
        [
            "--TaskLens:Ingest:OpenMode=true", "--TaskLens:Server:ListenAddress=127.0.0.1", $"--TaskLens:ClickHouse:Url={clickHouse.Url}",
            "--TaskLens:Slack:BotToken=xoxp-a-user-token-0001", "--TaskLens:Slack:Users:0:SlackUserId=ana",
        ]);

        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Equal(
            [
                "TaskLens:Slack: BotToken must be a bot token (xoxb-…).",
                "TaskLens:Slack: SigningSecret is required with a BotToken: buttons and the slash command are refused unless signed.",
                "TaskLens:Slack: Channel is required unless the last route matches every incident.",
                "TaskLens:Slack: Users:0:SlackUserId must be a Slack user id (U… or W…).",
                "TaskLens:Slack: Users:0:User must be a TaskLens user name (1-200 characters, no control characters).",
            ],
            failure.Failures);
        Assert.DoesNotContain("xoxp-a-user-token-0001", failure.Message, StringComparison.Ordinal);
    }

    private static SlackCall? Latest(IReadOnlyList<SlackCall> calls, string channel) =>
        calls.LastOrDefault(c => c.Channel == channel && (c.Method == "chat.update" || c.IsNewMessage));

    private static int Joined(string reply) =>
        JoinedPattern().Match(reply) is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;

    [GeneratedRegex(@"^\*(\d+) alerts? joined\*")]
    private static partial Regex JoinedPattern();
}
