using TaskLens.Briefs.Facts;

namespace TaskLens.UnitTests.Briefs;

public sealed class TemplateMinerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 30, 3, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Add_MessagesDifferingInVariables_MineOneTemplate_WithCountsAndFirstSeen()
    {
        var miner = new TemplateMiner();
        miner.Add("db", "log", "connection to 10.0.0.1:5432 refused after 30 s", 5, T0.AddMinutes(2), T0.AddMinutes(3), "a");
        miner.Add("db", "log", "connection to 10.0.0.2:5432 refused after 31 s", 7, T0.AddMinutes(1), T0.AddMinutes(9), "b");
        miner.Add("db", "log", "user alice logged in", 1, T0, T0, "");

        var templates = miner.Templates();

        Assert.Equal(2, templates.Count);
        Assert.Equal(("connection to <*> refused after <*> s", 12L, T0.AddMinutes(1), T0.AddMinutes(9)), (templates[0].Template, templates[0].Count, templates[0].FirstSeen, templates[0].LastSeen));
        Assert.Equal(["a", "b"], templates[0].SampleTraceIds);
    }

    [Fact]
    public void Add_WordsThatDiffer_BecomeWildcards_WhenMostTokensAgree()
    {
        var miner = new TemplateMiner();
        miner.Add("api", "span", "timeout calling inventory service", 1, T0, T0, "");
        miner.Add("api", "span", "timeout calling pricing service", 1, T0, T0, "");

        Assert.Equal("timeout calling <*> service", Assert.Single(miner.Templates()).Template);
    }

    [Fact]
    public void Add_AFloodOfUniqueMessages_StaysWithinTheBound_AndCountsWhatItDropped()
    {
        var miner = new TemplateMiner(maxClusters: 32);
        miner.Add("api", "log", "payment declined by issuer", 1000, T0, T0, "");
        for (var i = 0; i < 5000; i++)
        {
            // Every message a different shape (its own first word and length): nothing merges.
            miner.Add("api", "log", $"w{(char)('a' + (i % 26))}{(char)('a' + (i / 26 % 26))}{(char)('a' + (i / 676 % 26))} " + string.Join(' ', Enumerable.Repeat("x", i % 40)), 1, T0, T0, "");
        }

        Assert.True(miner.Count <= 32, $"{miner.Count} clusters held");
        Assert.True(miner.Dropped >= 5000 - 32, $"{miner.Dropped} dropped");
        Assert.Equal("payment declined by issuer", miner.Templates()[0].Template);
    }

    [Fact]
    public void Tokenize_LongMessage_KeepsABoundedNumberOfTokens()
    {
        var tokens = TemplateMiner.Tokenize(string.Join(' ', Enumerable.Range(0, 500).Select(i => "word")), 48);

        Assert.Equal(48, tokens.Length);
        Assert.Equal(TemplateMiner.Wildcard, tokens[^1]);
    }
}
