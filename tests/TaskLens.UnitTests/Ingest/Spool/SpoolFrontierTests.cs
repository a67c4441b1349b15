using TaskLens.Ingest.Spool;

namespace TaskLens.UnitTests.Ingest.Spool;

public sealed class SpoolFrontierTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 2, 22, 0, 0, TimeSpan.Zero);

    [Fact]
    public void StoredBefore_CaughtUp_IsNow()
    {
        var positions = new Positions { Committed = new(3, 500), Stored = new(3, 500) };

        Assert.Equal(T0, positions.Frontier.StoredBefore(T0));
    }

    [Fact]
    public void StoredBefore_DrainBehind_IsTheLatestCallWhoseCommitEndIsStored()
    {
        var positions = new Positions { Committed = new(1, 0), Stored = new(1, 0) };
        var frontier = positions.Frontier;
        Assert.Equal(T0, frontier.StoredBefore(T0));

        // ClickHouse goes away: exports keep being committed, none stored.
        positions.Committed = new(1, 100);
        Assert.Equal(T0, frontier.StoredBefore(T0.AddSeconds(1)));
        positions.Committed = new(1, 200);
        Assert.Equal(T0, frontier.StoredBefore(T0.AddSeconds(2)));
        positions.Committed = new(2, 50); // a new segment
        Assert.Equal(T0, frontier.StoredBefore(T0.AddSeconds(3)));

        // Back: the drain passes what was committed by the second call, then by the third, then everything.
        positions.Stored = new(1, 150);
        Assert.Equal(T0.AddSeconds(1), frontier.StoredBefore(T0.AddSeconds(4)));
        positions.Stored = new(1, 200);
        Assert.Equal(T0.AddSeconds(2), frontier.StoredBefore(T0.AddSeconds(5)));
        positions.Stored = new(2, 50);
        Assert.Equal(T0.AddSeconds(6), frontier.StoredBefore(T0.AddSeconds(6)));
    }

    [Fact]
    public void StoredBefore_ABacklogFromBeforeTheStart_IsUnknownUntilStored()
    {
        // The spool holds what an earlier run acknowledged: when, is not known.
        var positions = new Positions { Committed = new(7, 900), Stored = new(5, 0) };
        var frontier = positions.Frontier;

        Assert.Null(frontier.StoredBefore(T0));
        positions.Stored = new(7, 0);
        Assert.Null(frontier.StoredBefore(T0.AddSeconds(1)));
        positions.Committed = new(7, 950);
        positions.Stored = new(7, 900);
        Assert.Equal(T0.AddSeconds(1), frontier.StoredBefore(T0.AddSeconds(2)));
    }

    [Fact]
    public void StoredBefore_ManyCallsWhileBehind_KeepsItsSamplesBounded_AndAnswersNoLater()
    {
        var positions = new Positions { Committed = new(1, 0), Stored = new(1, 0) };
        var frontier = positions.Frontier;
        frontier.StoredBefore(T0);
        for (var i = 1; i <= 3 * SpoolFrontier.MaxSamples; i++)
        {
            positions.Committed = new(1, i * 10);
            frontier.StoredBefore(T0.AddSeconds(i));
        }

        // Everything committed by call 5,000 is stored: thinned, the answer is that call or earlier, never later.
        positions.Stored = new(1, 5_000 * 10);
        var answer = frontier.StoredBefore(T0.AddSeconds((3 * SpoolFrontier.MaxSamples) + 1));
        Assert.NotNull(answer);
        Assert.InRange(answer.Value, T0.AddSeconds(4_000), T0.AddSeconds(5_000));
    }

    private sealed class Positions
    {
        public SpoolPosition Committed { get; set; } = new(0, 0);

        public SpoolPosition Stored { get; set; } = new(0, 0);

        public SpoolFrontier Frontier => new(() => Committed, () => Stored);
    }
}
