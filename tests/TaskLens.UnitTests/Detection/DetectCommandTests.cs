using System.Globalization;
using System.Text;
using System.Text.Json;
using TaskLens.Server.Cli;
using static TaskLens.UnitTests.Detection.SyntheticSeries;

namespace TaskLens.UnitTests.Detection;

public sealed class DetectCommandTests : IDisposable
{
    private readonly string _csv = Path.Combine(Path.GetTempPath(), $"tasklens-detect-{Guid.NewGuid():N}.csv");

    public void Dispose() => File.Delete(_csv);

    [Fact]
    public async Task Detect_SeriesWithOneSpike_PrintsOneJsonLine_ForThatPoint()
    {
        var values = Create(600, level: 10, noise: 0.5);
        values[450] = 40;
        var csv = new StringBuilder("timestamp,value\n");
        for (var i = 0; i < values.Length; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{At(i):yyyy-MM-dd HH:mm:ss},{values[i]}\n");
        }

        await File.WriteAllTextAsync(_csv, csv.ToString());
        var (code, output, error) = await RunAsync("--input", _csv);

        Assert.Equal((0, ""), (code, error));
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var json = JsonDocument.Parse(line).RootElement;
        Assert.Equal(At(450).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), json.GetProperty("timestamp").GetString());
        Assert.Equal(40, json.GetProperty("value").GetDouble());
        Assert.InRange(json.GetProperty("expected").GetDouble(), 9.5, 10.5);
        Assert.True(json.GetProperty("score").GetDouble() >= 3.5);
        Assert.Equal("robust-seasonal", json.GetProperty("detector").GetString());
    }

    [Fact]
    public async Task Detect_NamedDetector_AndUnixSecondsWithoutHeader_AreAccepted()
    {
        await File.WriteAllLinesAsync(_csv, Enumerable.Range(0, 500).Select(i => $"{1_790_000_000 + (60 * i)},{(i == 400 ? 500 : 5 + (i % 3))}"));

        var (code, output, _) = await RunAsync("--input", _csv, "--detector", "rolling-3sigma");

        Assert.Equal(0, code);
        Assert.Contains("\"detector\":\"rolling-3sigma\"", output, StringComparison.Ordinal);
        Assert.Contains("\"value\":500", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--detector", "combined" }, "--input is required")]
    [InlineData(new[] { "--input", "x.csv", "--detector", "magic" }, "unknown detector 'magic'")]
    [InlineData(new[] { "--frobnicate" }, "unknown or incomplete argument '--frobnicate'")]
    public async Task Detect_BadArguments_ExitTwo_WithUsage(string[] args, string message)
    {
        var (code, output, error) = await RunAsync(args);

        Assert.Equal((2, ""), (code, output));
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.Contains("usage: tasklens detect", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("timestamp,value\n2026-01-01 00:00:00,1\n2026-01-01 00:05:00,abc\n", ":3: 'abc' is not a finite number")]
    [InlineData("2026-01-01 00:00:00,1\nyesterday,2\n", ":2: 'yesterday' is not a timestamp")]
    [InlineData("2026-01-01 00:00:00,1\n2026-01-01 00:05:00,2,3\n", ":2: expected two columns")]
    public async Task Detect_UnreadableRow_ExitsOne_NamingTheLine(string content, string message)
    {
        await File.WriteAllTextAsync(_csv, content);

        var (code, _, error) = await RunAsync("--input", _csv);

        Assert.Equal(1, code);
        Assert.Contains(_csv + message, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Detect_RowGoingBackInTime_IsSkippedWithAWarning_TheRestIsRead()
    {
        await File.WriteAllTextAsync(_csv, "2026-01-01 00:05:00,1\n2026-01-01 00:00:00,2\n2026-01-01 00:10:00,x\n");

        var (code, _, error) = await RunAsync("--input", _csv);

        Assert.Equal(1, code); // the third row was read, and refused
        Assert.Contains(_csv + ":2: warning: timestamp not after the previous row's (2026-01-01 00:05:00Z); row skipped", error, StringComparison.Ordinal);
        Assert.Contains(_csv + ":3: 'x' is not a finite number", error, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await DetectCommand.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
