using Microsoft.AspNetCore.Http;
using TaskLens.Server.Access;
using TaskLens.UnitTests.Slack;

namespace TaskLens.UnitTests.Server;

public sealed class SignInThrottleTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 2, 17, 0, 0, TimeSpan.Zero);

    [Fact]
    public void TryAttempt_PastTheAllowance_IsRefusedUntilTheWindowEnds()
    {
        var time = new ManualTime(Start);
        var throttle = new SignInThrottle(time);

        var allowed = Enumerable.Range(0, SignInThrottle.AttemptsPerWindow).Select(_ => throttle.TryAttempt("10.0.0.1")).ToList();
        var over = throttle.TryAttempt("10.0.0.1");
        time.Advance(SignInThrottle.Window - TimeSpan.FromSeconds(1));
        var stillOver = throttle.TryAttempt("10.0.0.1");
        time.Advance(TimeSpan.FromSeconds(1));
        var nextWindow = throttle.TryAttempt("10.0.0.1");

        Assert.All(allowed, Assert.True);
        Assert.False(over);
        Assert.False(stillOver);
        Assert.True(nextWindow);
    }

    [Fact]
    public void TryAttempt_EachAddress_HasItsOwnAllowance()
    {
        var throttle = new SignInThrottle(new ManualTime(Start));
        for (var i = 0; i < SignInThrottle.AttemptsPerWindow; i++)
        {
            throttle.TryAttempt("10.0.0.1");
        }

        Assert.False(throttle.TryAttempt("10.0.0.1"));
        Assert.True(throttle.TryAttempt("10.0.0.2"));
    }

    [Fact]
    public async Task CheckAsync_OnlySignInPosts_AreCountedAndRefused()
    {
        var throttle = new SignInThrottle(new ManualTime(Start));
        var passed = 0;
        RequestDelegate next = _ => { passed++; return Task.CompletedTask; };

        async Task<int> Send(string method, string path)
        {
            var context = new DefaultHttpContext();
            context.Request.Method = method;
            context.Request.Path = path;
            context.Connection.RemoteIpAddress = System.Net.IPAddress.Loopback;
            await throttle.CheckAsync(context, next);
            return context.Response.StatusCode;
        }

        for (var i = 0; i < SignInThrottle.AttemptsPerWindow; i++)
        {
            Assert.Equal(StatusCodes.Status200OK, await Send("POST", "/signin"));
        }

        Assert.Equal(StatusCodes.Status429TooManyRequests, await Send("POST", "/SignIn"));
        Assert.Equal(StatusCodes.Status429TooManyRequests, await Send("POST", "/signin/"));
        Assert.Equal(StatusCodes.Status200OK, await Send("GET", "/signin"));
        Assert.Equal(StatusCodes.Status200OK, await Send("POST", "/v1/traces"));
        Assert.Equal(SignInThrottle.AttemptsPerWindow + 2, passed);
    }

    [Theory]
    [InlineData("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2:ffff:1:2:3", "2001:db8:1:2::/64")]
    [InlineData("::ffff:10.0.0.7", "10.0.0.7")]
    [InlineData("10.0.0.7", "10.0.0.7")]
    public void ClientKey_IPv6ByItsSlash64_IPv4AsItself(string address, string key) =>
        Assert.Equal(key, SignInThrottle.ClientKey(System.Net.IPAddress.Parse(address)));

    [Fact]
    public void TryAttempt_EndedWindows_AreDroppedOnceAWindowHasPassed_OpenOnesKept()
    {
        var time = new ManualTime(Start);
        var throttle = new SignInThrottle(time);
        throttle.TryAttempt("10.0.0.1");
        throttle.TryAttempt("10.0.0.2");
        time.Advance(TimeSpan.FromSeconds(30));
        throttle.TryAttempt("10.0.0.3");
        Assert.Equal(3, throttle.ClientsCounted);

        time.Advance(TimeSpan.FromSeconds(31)); // the first two windows ended; the third has 29 s left
        throttle.TryAttempt("10.0.0.4");

        Assert.Equal(2, throttle.ClientsCounted);
    }

    [Fact]
    public void TryAttempt_TableFull_ANewClientIsRefused_UntilWindowsEnd_CountedOnesKeepTheirAllowance()
    {
        var time = new ManualTime(Start);
        var throttle = new SignInThrottle(time);
        for (var i = 0; i < SignInThrottle.MaxClients; i++)
        {
            Assert.True(throttle.TryAttempt($"c{i}"));
        }

        var newcomer = throttle.TryAttempt("new");
        var counted = throttle.TryAttempt("c0");
        time.Advance(SignInThrottle.Window);
        var afterTheWindow = throttle.TryAttempt("new");

        Assert.False(newcomer);
        Assert.True(counted);
        Assert.True(afterTheWindow);
        Assert.Equal(1, throttle.ClientsCounted);
    }
}
