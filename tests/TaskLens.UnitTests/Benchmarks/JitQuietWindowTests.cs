using TaskLens.Benchmarks.Load;

namespace TaskLens.UnitTests.Benchmarks;

public sealed class JitQuietWindowTests
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(5);

    private static TimeSpan At(double seconds) => TimeSpan.FromSeconds(seconds);

    [Fact]
    public void Add_ReadingsCoverLessThanTheWindow_NotQuietEvenWithoutCompiling()
    {
        var jit = new JitQuietWindow(Window, methodsPerSecond: 2);

        Assert.False(jit.Add(At(0), 5_000));
        Assert.False(jit.Add(At(1), 5_000));
        Assert.False(jit.Add(At(4.9), 5_000));
        Assert.True(jit.Add(At(5), 5_000));
    }

    [Fact]
    public void Add_CompilingFasterThanTheBound_NotQuietUntilTheBurstLeavesTheWindow()
    {
        var jit = new JitQuietWindow(Window, methodsPerSecond: 2);
        var readings = new[] { (0, 5_000.0), (1, 5_300), (2, 5_301), (3, 5_302), (4, 5_303), (5, 5_304), (6, 5_305) };

        var quiet = readings.Select(r => jit.Add(At(r.Item1), r.Item2)).ToList();

        // At 5 s the window [0, 5] holds the 300-method burst; at 6 s the window [1, 6] grew by 5: within 2 a second.
        Assert.Equal(new[] { false, false, false, false, false, false, true }, quiet);
        Assert.Equal(5, jit.Compiled);
        Assert.Equal(At(5), jit.Covered);
    }

    [Fact]
    public void Add_ExactlyTheBound_IsQuiet_OneMore_IsNot()
    {
        var atBound = new JitQuietWindow(Window, methodsPerSecond: 2);
        atBound.Add(At(0), 100);
        Assert.True(atBound.Add(At(5), 110));

        var over = new JitQuietWindow(Window, methodsPerSecond: 2);
        over.Add(At(0), 100);
        Assert.False(over.Add(At(5), 111));
        Assert.Equal(11, over.Compiled);
    }

    [Fact]
    public void Add_IrregularPolls_JudgesTheLatestWindowAtLeastThatLong()
    {
        var jit = new JitQuietWindow(Window, methodsPerSecond: 2);
        jit.Add(At(0), 0);
        jit.Add(At(3), 100);
        jit.Add(At(4), 101);

        // Readings at 0, 3, 4, 9.5: the latest reading at least 5 s before 9.5 is the one at 4, so 10 methods in 5.5 s.
        Assert.True(jit.Add(At(9.5), 111));
        Assert.Equal(At(5.5), jit.Covered);
    }
}
