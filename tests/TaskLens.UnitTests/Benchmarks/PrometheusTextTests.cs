using TaskLens.Benchmarks.Load;

namespace TaskLens.UnitTests.Benchmarks;

public sealed class PrometheusTextTests
{
    [Fact]
    public void Parse_CommentsBlankLinesAndSamples_ReturnsTheSamplesInOrder()
    {
        var samples = PrometheusText.Parse("""
            # HELP tasklens_goals_runs_in_memory Goal runs held.
            # TYPE tasklens_goals_runs_in_memory gauge
            tasklens_goals_runs_in_memory 42

            tasklens_goals_spans_in_memory{otel_scope_name="TaskLens.Goals"} 1.5e3 1764633600000
            # EOF
            """);

        Assert.Equal(2, samples.Count);
        Assert.Equal(("tasklens_goals_runs_in_memory", 42d, 0), (samples[0].Name, samples[0].Value, samples[0].Labels.Count));
        Assert.Equal(("tasklens_goals_spans_in_memory", 1500d, "TaskLens.Goals"), (samples[1].Name, samples[1].Value, samples[1].Label("otel_scope_name")));
    }

    [Fact]
    public void Parse_LabelsWithEscapes_UnescapesQuotesBackslashesAndNewlines()
    {
        var sample = Assert.Single(PrometheusText.Parse("""dotnet_exceptions_total{error_type="Say \"hi\"",path="C:\\spool\\next",note="a\nb",comma="x,y}z"} 3"""));

        Assert.Equal("Say \"hi\"", sample.Label("error_type"));
        Assert.Equal("C:\\spool\\next", sample.Label("path"));
        Assert.Equal("a\nb", sample.Label("note"));
        Assert.Equal("x,y}z", sample.Label("comma"));
        Assert.Null(sample.Label("missing"));
        Assert.Equal(new[] { "error_type", "path", "note", "comma" }, sample.Labels.Select(l => l.Key));
        Assert.Equal(3d, sample.Value);
    }

    [Fact]
    public void Parse_HistogramBuckets_ReadsBoundsIncludingInfinity()
    {
        var samples = PrometheusText.Parse("""
            tasklens_spool_append_duration_seconds_bucket{phase="sync",le="0.005"} 7
            tasklens_spool_append_duration_seconds_bucket{phase="sync",le="+Inf",} 9
            tasklens_spool_append_duration_seconds_sum{phase="sync"} 0.25
            """);

        Assert.Equal(new double?[] { 0.005, double.PositiveInfinity, null }, samples.Select(s => s.UpperBound));
        Assert.Equal(new[] { 7d, 9d, 0.25 }, samples.Select(s => s.Value));
    }

    [Fact]
    public void Parse_SpecialValues_ReadsInfinitiesAndNaN()
    {
        var samples = PrometheusText.Parse("a +Inf\nb -Inf\nc NaN\nd -0.5\ne 12 1764633600000\r\n");

        Assert.Equal(new[] { double.PositiveInfinity, double.NegativeInfinity, double.NaN, -0.5, 12d }, samples.Select(s => s.Value));
    }

    [Fact]
    public void Parse_OpenMetricsExemplar_IgnoresIt()
    {
        var sample = Assert.Single(PrometheusText.Parse("""request_duration_seconds_bucket{le="0.1"} 8 # {trace_id="abc"} 0.07 1764633600.1"""));

        Assert.Equal((8d, (double?)0.1), (sample.Value, sample.UpperBound));
        Assert.Single(sample.Labels);
    }

    [Theory]
    [InlineData("metric_without_value")]
    [InlineData("metric{le=\"1\"")]
    [InlineData("metric{le=1} 2")]
    [InlineData("metric{le=\"1\" x=\"2\"} 2")]
    [InlineData("metric{le=\"1\\")]
    [InlineData("metric 1,5")]
    [InlineData("metric Infinity")]
    [InlineData("9metric 1")]
    [InlineData("metric{le=\"1\"}2")]
    public void Parse_MalformedLine_ThrowsNamingTheLine(string line)
    {
        var error = Assert.Throws<FormatException>(() => PrometheusText.Parse("ok 1\n" + line + "\n"));

        Assert.Contains(line, error.Message, StringComparison.Ordinal);
    }
}
