using TaskLens.Storage.ClickHouse;

namespace TaskLens.UnitTests.Storage;

public sealed class ClickHouseExceptionTests
{
    [Fact]
    public void FromResponse_OldServerFormat_ReadsCodeAndMessage()
    {
        var e = ClickHouseException.FromResponse(400, null, "Code: 62, e.displayText() = DB::Exception: Syntax error: failed at position 1, e.what() = DB::Exception\n");

        Assert.Equal(62, e.Code);
        Assert.Equal("DB::Exception: Syntax error: failed at position 1", e.ServerMessage);
        Assert.False(e.IsTransient);
    }

    [Fact]
    public void FromResponse_CurrentServerFormat_ReadsCodeAndMessage()
    {
        var e = ClickHouseException.FromResponse(404, null, "Code: 60. DB::Exception: Table tasklens.nope does not exist. (UNKNOWN_TABLE) (version 24.8.4.13 (official build))");

        Assert.Equal(60, e.Code);
        Assert.StartsWith("DB::Exception: Table tasklens.nope does not exist.", e.ServerMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void FromResponse_HeaderCode_WinsOverBody() =>
        Assert.Equal(241, ClickHouseException.FromResponse(500, "241", "Code: 1. whatever").Code);

    [Theory]
    [InlineData(202, 500, true)]
    [InlineData(252, 500, true)]
    [InlineData(62, 400, false)]
    [InlineData(60, 404, false)]
    [InlineData(0, 503, true)]
    [InlineData(0, 400, false)]
    public void IsTransient_OnlyForOverloadAndUnavailability(int code, int status, bool transient) =>
        Assert.Equal(transient, new ClickHouseException(code, "x", status, null).IsTransient);

    [Fact]
    public void IsTransient_ConnectionFailure_IsTransient() =>
        Assert.True(new ClickHouseException(0, "refused", null, new HttpRequestException("refused")).IsTransient);

    [Theory]
    [InlineData(53, "Type mismatch", true)]
    [InlineData(27, "Cannot parse input", true)]
    [InlineData(16, "No such column x in table", true)]
    [InlineData(252, "Too many partitions for single INSERT block (more than 100). The limit is controlled by 'max_partitions_per_insert_block' setting.", true)]
    [InlineData(252, "Too many parts (300). Merges are processing significantly slower than inserts.", false)]
    [InlineData(241, "Memory limit (total) exceeded", false)]
    [InlineData(60, "Table tasklens.spans doesn't exist.", false)]
    [InlineData(0, "ClickHouse unreachable", false)]
    public void IsPermanent_OnlyWhenTheRowsThemselvesAreRefused(int code, string message, bool permanent)
    {
        var e = new ClickHouseException(code, "DB::Exception: " + message, 500, null);

        Assert.Equal(permanent, e.IsPermanent);
        Assert.False(e.IsPermanent && e.IsTransient);
    }
}
