using TaskLens.Ingest.Otlp;

namespace TaskLens.UnitTests.Ingest;

public sealed class OtlpResponsesTests
{
    [Fact]
    public void ExportTraceResponse_FullSuccess_IsEmpty() =>
        Assert.Empty(OtlpResponses.ExportResponse(0, null));

    [Fact]
    public void ExportTraceResponse_PartialSuccess_EncodesRejectedCountAndMessage()
    {
        var bytes = OtlpResponses.ExportResponse(300, "bad ids");

        // partial_success (1, length 12) { rejected_spans (1) = 300 as varint AC 02; error_message (2) = "bad ids" }
        Assert.Equal([0x0A, 12, 0x08, 0xAC, 0x02, 0x12, 7, .. "bad ids"u8.ToArray()], bytes);
    }

    [Fact]
    public void Status_EncodesCodeAndMessage() =>
        Assert.Equal([0x08, 3, 0x12, 2, (byte)'n', (byte)'o'], OtlpResponses.Status(GrpcStatusCode.InvalidArgument, "no"));

    [Fact]
    public void StatusWithRetryInfo_CarriesRetryInfoAsAny()
    {
        var bytes = OtlpResponses.StatusWithRetryInfo(GrpcStatusCode.ResourceExhausted, "slow down", TimeSpan.FromMilliseconds(1500));

        const string TypeUrl = "type.googleapis.com/google.rpc.RetryInfo";
        byte[] duration = [0x08, 1, 0x10, 0x80, 0xCA, 0xB5, 0xEE, 0x01]; // seconds 1, nanos 500,000,000
        byte[] retryInfo = [0x0A, (byte)duration.Length, .. duration];
        byte[] any = [0x0A, (byte)TypeUrl.Length, .. System.Text.Encoding.ASCII.GetBytes(TypeUrl), 0x12, (byte)retryInfo.Length, .. retryInfo];
        byte[] expected = [0x08, 8, 0x12, 9, .. "slow down"u8.ToArray(), 0x1A, (byte)any.Length, .. any];
        Assert.Equal(expected, bytes);
    }
}
