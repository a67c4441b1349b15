using System.Text;
using TaskLens.Slack.Interactivity;

namespace TaskLens.UnitTests.Slack;

public sealed class SlackSignatureTests
{
    // The worked example of https://api.slack.com/authentication/verifying-requests-from-slack.
    private const string DocSecret = "8f742231b10e8888abcd99yyyzzz85a5";
    private const string DocTimestamp = "1531420618";
    private const string DocSignature = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
    private static readonly byte[] DocBody = Encoding.UTF8.GetBytes(
        "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA"
        + "&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
        + "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c");

    private static readonly DateTimeOffset DocTime = DateTimeOffset.FromUnixTimeSeconds(1531420618);

    [Fact]
    public void Compute_SlacksWorkedExample_GivesItsSignature() => Assert.Equal(DocSignature, SlackSignature.Compute(DocSecret, DocTimestamp, DocBody));

    [Theory]
    [InlineData(0)]
    [InlineData(299)]
    [InlineData(-299)]
    public void Verify_SignedWithinFiveMinutes_IsValid(int secondsLater) =>
        Assert.Equal(SignatureCheck.Valid, SlackSignature.Verify(DocSecret, DocTimestamp, DocSignature, DocBody, DocTime.AddSeconds(secondsLater)));

    [Theory]
    [InlineData(301)]
    [InlineData(-301)]
    [InlineData(86_400)]
    public void Verify_OutsideFiveMinutes_IsStale(int secondsLater) =>
        Assert.Equal(SignatureCheck.Stale, SlackSignature.Verify(DocSecret, DocTimestamp, DocSignature, DocBody, DocTime.AddSeconds(secondsLater)));

    [Fact]
    public void Verify_TamperedBody_WrongSecret_OrOtherTimestamp_IsInvalid()
    {
        var tampered = (byte[])DocBody.Clone();
        tampered[^1] ^= 1;
        Assert.Equal(SignatureCheck.Invalid, SlackSignature.Verify(DocSecret, DocTimestamp, DocSignature, tampered, DocTime));
        Assert.Equal(SignatureCheck.Invalid, SlackSignature.Verify("another-secret", DocTimestamp, DocSignature, DocBody, DocTime));
        Assert.Equal(SignatureCheck.Invalid, SlackSignature.Verify(DocSecret, "1531420619", DocSignature, DocBody, DocTime));
        Assert.Equal(SignatureCheck.Invalid, SlackSignature.Verify(DocSecret, DocTimestamp, DocSignature.ToUpperInvariant(), DocBody, DocTime));
        Assert.Equal(SignatureCheck.Invalid, SlackSignature.Verify(DocSecret, DocTimestamp, DocSignature[..^1], DocBody, DocTime));
    }

    [Theory]
    [InlineData(null, DocSignature)]
    [InlineData(DocTimestamp, null)]
    [InlineData("", "")]
    public void Verify_MissingHeader_IsMissing(string? timestamp, string? signature) =>
        Assert.Equal(SignatureCheck.Missing, SlackSignature.Verify(DocSecret, timestamp, signature, DocBody, DocTime));

    [Theory]
    [InlineData("soon")]
    [InlineData("-5")]
    [InlineData("99999999999999999999")]
    public void Verify_UnreadableTimestamp_IsStale(string timestamp) =>
        Assert.Equal(SignatureCheck.Stale, SlackSignature.Verify(DocSecret, timestamp, DocSignature, DocBody, DocTime));

    [Fact]
    public void ReplayGuard_SameSignatureTwice_RefusesTheSecond_AndForgetsAfterTheWindow()
    {
        var time = new ManualTime(DocTime);
        var guard = new SlackReplayGuard(time);

        Assert.True(guard.FirstTime(DocSignature));
        Assert.False(guard.FirstTime(DocSignature));
        Assert.True(guard.FirstTime(DocSignature + "0"));
        time.Advance(TimeSpan.FromMinutes(11));
        Assert.True(guard.FirstTime(DocSignature));
    }
}
