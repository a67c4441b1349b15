namespace TaskLens.UnitTests.Goals;

/// <summary>
/// The calculator's output on a fixed corpus (<see cref="GoalRunCorpus"/>) against a golden file written by the code
/// before its allocation rewrite (main at 2d80896): rewrites for speed must not change a single figure. Set
/// <c>TASKLENS_WRITE_GOLDEN=1</c> to write the file anew, only when a change of output is intended and reviewed.
/// </summary>
public sealed class GoalRunCalculatorGoldenTests
{
    [Fact]
    public void Compute_Corpus_SameRunsAsTheGoldenFile()
    {
        var path = Path.Combine(RepositoryRoot(), "tests", "data", "goal-runs", "golden.txt");
        var actual = GoalRunCorpus.Compute();
        if (Environment.GetEnvironmentVariable("TASKLENS_WRITE_GOLDEN") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual);
        }

        var expected = File.ReadAllText(path).Split('\n');
        var lines = actual.Split('\n');
        Assert.True(expected.Length > 600, $"{expected.Length} runs in the golden file");
        for (var i = 0; i < Math.Min(expected.Length, lines.Length); i++)
        {
            Assert.Equal(expected[i], lines[i]);
        }

        Assert.Equal(expected.Length, lines.Length);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TaskLens.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("TaskLens.sln not found above " + AppContext.BaseDirectory);
    }
}
