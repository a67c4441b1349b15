using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TaskLens.Server.Access;
using TaskLens.UnitTests.Slack;

namespace TaskLens.UnitTests.Server;

/// <summary>
/// The forwarded headers TaskLens believes (<see cref="AccessHostingExtensions.ForwardedFrom"/>) in front of the sign-in
/// throttle, as the API port's pipeline runs them: ASP.NET Core's middleware with TaskLens's options, then the throttle.
/// </summary>
public sealed class ForwardedHeadersTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 2, 22, 0, 0, TimeSpan.Zero);

    [Fact]
    public void ForwardedFrom_NoTrustedProxies_AddsNothing() =>
        Assert.Null(AccessHostingExtensions.ForwardedFrom(new NetworkOptions()));

    [Fact]
    public async Task SignIn_ForgedForwardedForFromAnUntrustedAddress_CountsTheConnectionsAddress()
    {
        var pipeline = Pipeline("10.0.0.0/8");

        var statuses = new List<int>();
        for (var i = 0; i <= SignInThrottle.AttemptsPerWindow; i++)
        {
            statuses.Add(await pipeline.PostAsync("203.0.113.5", $"198.51.100.{i + 1}"));
        }

        Assert.All(statuses.Take(SignInThrottle.AttemptsPerWindow), s => Assert.Equal(StatusCodes.Status200OK, s));
        Assert.Equal(StatusCodes.Status429TooManyRequests, statuses[^1]);
        Assert.Equal(["203.0.113.5"], pipeline.Seen.Distinct());
    }

    [Fact]
    public async Task SignIn_FromATrustedProxy_CountsTheClientItNames_NotWhatTheClientWroteBeforeIt()
    {
        var pipeline = Pipeline("10.0.0.0/8", "192.0.2.10");
        for (var i = 0; i < SignInThrottle.AttemptsPerWindow; i++)
        {
            Assert.Equal(StatusCodes.Status200OK, await pipeline.PostAsync("10.1.2.3", "198.51.100.7"));
        }

        Assert.Equal(StatusCodes.Status429TooManyRequests, await pipeline.PostAsync("10.1.2.3", "198.51.100.7"));
        Assert.Equal(StatusCodes.Status200OK, await pipeline.PostAsync("10.1.2.3", "198.51.100.8"));

        // The guesser's own X-Forwarded-For value sits left of what the proxy appended: the client is the rightmost untrusted hop.
        Assert.Equal(StatusCodes.Status429TooManyRequests, await pipeline.PostAsync("10.1.2.3", "203.0.113.77, 198.51.100.7"));

        // A chain of trusted proxies (a load balancer, then nginx at 192.0.2.10) is read through to the client.
        Assert.Equal(StatusCodes.Status429TooManyRequests, await pipeline.PostAsync("192.0.2.10", "198.51.100.7, 10.4.4.4"));
        Assert.Equal([.. Enumerable.Repeat("198.51.100.7", SignInThrottle.AttemptsPerWindow), "198.51.100.8"], pipeline.Seen);
    }

    [Fact]
    public async Task Loopback_IsTrustedOnlyWhenListed()
    {
        var pipeline = Pipeline("10.0.0.0/8");

        await pipeline.PostAsync("127.0.0.1", "198.51.100.7");
        await pipeline.PostAsync("::ffff:10.0.0.9", "198.51.100.9");

        // The framework trusts loopback by default; TaskLens clears that. An IPv4 proxy seen through a dual-stack socket still counts.
        Assert.Equal(["127.0.0.1", "198.51.100.9"], pipeline.Seen);
    }

    [Theory]
    [InlineData("10.0.0.0/8", true)]
    [InlineData("192.0.2.10", true)]
    [InlineData("fd00::/8", true)]
    [InlineData("::1", true)]
    [InlineData("10.0.0.1/8", false)]
    [InlineData("10.0.0.0/33", false)]
    [InlineData("proxy.internal", false)]
    [InlineData("10.1", false)]
    [InlineData("10", false)]
    public void Validate_TrustedProxies_AreAddressesOrNetworks(string entry, bool valid)
    {
        var options = new NetworkOptions();
        options.TrustedProxies.Add(entry);

        Assert.Equal(valid, !options.Validate().Any());
    }

    private static ThrottledPipeline Pipeline(params string[] trusted)
    {
        var network = new NetworkOptions();
        foreach (var entry in trusted)
        {
            network.TrustedProxies.Add(entry);
        }

        return new ThrottledPipeline(AccessHostingExtensions.ForwardedFrom(network)!, new SignInThrottle(new ManualTime(Start)));
    }

    /// <summary>Forwarded headers, then the throttle, then a page that records the client address it was given.</summary>
    private sealed class ThrottledPipeline
    {
        private readonly ForwardedHeadersMiddleware _middleware;

        public ThrottledPipeline(ForwardedHeadersOptions options, SignInThrottle throttle) =>
            _middleware = new ForwardedHeadersMiddleware(
                context => throttle.CheckAsync(context, page =>
                {
                    Seen.Add(SignInThrottle.ClientKey(page.Connection.RemoteIpAddress));
                    return Task.CompletedTask;
                }),
                NullLoggerFactory.Instance,
                Options.Create(options));

        public List<string> Seen { get; } = [];

        public async Task<int> PostAsync(string from, string forwardedFor)
        {
            var context = new DefaultHttpContext();
            context.Request.Method = "POST";
            context.Request.Path = "/signin";
            context.Connection.RemoteIpAddress = IPAddress.Parse(from);
            context.Request.Headers["X-Forwarded-For"] = forwardedFor;
            await _middleware.Invoke(context);
            return context.Response.StatusCode;
        }
    }
}
