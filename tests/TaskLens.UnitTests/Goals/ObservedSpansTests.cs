using TaskLens.Core.Goals;

namespace TaskLens.UnitTests.Goals;

public sealed class ObservedSpansTests
{
    private static readonly SpanShape Shape = new("op", "svc", null, SubTaskKind.Other);

    [Theory]
    [InlineData(1)]
    [InlineData(ObservedSpans.ChunkSize)]
    [InlineData((ObservedSpans.ChunkSize * 5) + 3)]
    public void Add_PastSeveralChunks_ReadsEachBackInOrder(int spans)
    {
        using var observed = new ObservedSpans();
        for (var round = 0; round < 2; round++)
        {
            for (var i = 0; i < spans; i++)
            {
                observed.Add(new RunSpan { SpanId = (ulong)i + 1, StartUnixNano = (ulong)round, Shape = Shape }, (ulong)i, (ulong)(i * 3));
            }

            Assert.Equal(spans, observed.Count);
            for (var i = 0; i < spans; i++)
            {
                Assert.Equal(((ulong)i + 1, (ulong)round), (observed.Fact(i).SpanId, observed.Fact(i).StartUnixNano));
                Assert.Equal(((ulong)i, (ulong)(i * 3)), observed.Trace(i));
            }

            // Emptied and filled again, as a run's set is.
            observed.Dispose();
            Assert.Equal(0, observed.Count);
        }
    }
}
