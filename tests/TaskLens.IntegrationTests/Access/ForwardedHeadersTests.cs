using System.Net;
using System.Net.Http.Json;
using TaskLens.IntegrationTests.Infrastructure;
using TaskLens.IntegrationTests.Slack;
using static TaskLens.IntegrationTests.Slack.SlackCalls;

namespace TaskLens.IntegrationTests.Access;

/// <summary>
/// TaskLens behind a reverse proxy, through the real Program: with the proxy's address trusted
/// (<c>TaskLens:Network:TrustedProxies</c>), sign-in is throttled per client named in <c>X-Forwarded-For</c>; from an
/// address not trusted, a forged header changes nothing; and the Slack link API still refuses whatever a proxy forwarded.
/// The tests connect from 127.0.0.1, so they are the proxy when loopback is trusted and an ordinary client when not.
/// </summary>
[Collection(ClickHouseCollection.Name)]
public sealed class ForwardedHeadersTests(ClickHouseFixture clickHouse)
{
    private static readonly int Allowance = global::TaskLens.Server.Access.AccessHostingExtensions.SignInAttemptsPerMinute;

    [Fact]
    public async Task SignIn_ThroughATrustedProxy_IsThrottledPerForwardedClient()
    {
        await using var host = await TaskLensHost.StartAsync(clickHouse, new Dictionary<string, string?> { ["TaskLens:Network:TrustedProxies:0"] = "127.0.0.1" });

        var guesser = await SignInAsync(host, Allowance + 1, _ => "198.51.100.7");
        Assert.DoesNotContain(HttpStatusCode.TooManyRequests, guesser.Take(Allowance));
        Assert.Equal(HttpStatusCode.TooManyRequests, guesser[^1]);

        // Another client behind the same proxy keeps its own allowance; a value the guesser wrote itself further left is not read.
        Assert.NotEqual(HttpStatusCode.TooManyRequests, (await SignInAsync(host, 1, _ => "198.51.100.8"))[0]);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await SignInAsync(host, 1, _ => "203.0.113.1, 198.51.100.7"))[0]);
    }

    [Fact]
    public async Task SignIn_ForgedForwardedForFromAnUntrustedAddress_DoesNotChangeTheThrottleKey()
    {
        await using var host = await TaskLensHost.StartAsync(clickHouse, new Dictionary<string, string?> { ["TaskLens:Network:TrustedProxies:0"] = "10.99.0.0/16" });

        var statuses = await SignInAsync(host, Allowance + 1, i => $"198.51.100.{i + 1}");

        Assert.DoesNotContain(HttpStatusCode.TooManyRequests, statuses.Take(Allowance));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
    }

    [Fact]
    public async Task SlackLinks_ForwardedByATrustedProxy_AreRefused_EvenForALoopbackClient()
    {
        await using var slack = await FakeSlack.StartAsync(AlertsChannel);
        await using var host = await TaskLensHost.StartAsync(clickHouse, Settings(slack, new Dictionary<string, string?> { ["TaskLens:Network:TrustedProxies:0"] = "127.0.0.1" }));

        foreach (var client in new[] { "127.0.0.1", "203.0.113.9" })
        {
            using var forwarded = new HttpRequestMessage(HttpMethod.Put, new Uri("/api/slack/links/U0EVE", UriKind.Relative)) { Content = JsonContent.Create(new { user = "eve" }) };
            forwarded.Headers.Add("X-Forwarded-For", client);
            using var refused = await host.Api.SendAsync(forwarded);
            Assert.True(refused.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized, $"{client}: {(int)refused.StatusCode}");
        }

        // Made on the TaskLens host itself, not through the proxy, the link is made.
        using var direct = await host.Api.PutAsJsonAsync(new Uri("/api/slack/links/U0EVE", UriKind.Relative), new { user = "eve" });
        Assert.Equal(HttpStatusCode.OK, direct.StatusCode);
    }

    /// <summary>Posts the sign-in form <paramref name="count"/> times, the i-th with <c>X-Forwarded-For: forwardedFor(i)</c>.</summary>
    private static async Task<List<HttpStatusCode>> SignInAsync(TaskLensHost host, int count, Func<int, string> forwardedFor)
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < count; i++)
        {
            using var post = new HttpRequestMessage(HttpMethod.Post, new Uri("/signin", UriKind.Relative))
            {
                Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["_handler"] = "signin", ["Input.Name"] = "root", ["Input.Password"] = "guess " + i }),
            };
            post.Headers.Add("X-Forwarded-For", forwardedFor(i));
            using var answer = await host.Api.SendAsync(post);
            statuses.Add(answer.StatusCode);
        }

        return statuses;
    }
}
