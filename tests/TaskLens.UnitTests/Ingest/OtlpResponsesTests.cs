using TaskLens.Ingest.Otlp;

namespace TaskLens.UnitTests.Ingest;

public sealed class OtlpResponsesTests
{
    [Fact]
    public void ExportTraceResponse_FullSuccess_IsEmpty() =>
        Assert.Empty(OtlpResponses.ExportTraceResponse(0, null));

    [Fact]
    public void ExportTraceResponse_PartialSuccess_EncodesRejectedCountAndMessage()
    {
        var bytes = OtlpResponses.ExportTraceResponse(300, "bad ids");

        // partial_success (1, length 12) { rejected_spans (1) = 300 as varint AC 02; error_message (2) = "bad ids" }
        Assert.Equal([0x0A, 12, 0x08, 0xAC, 0x02, 0x12, 7, .. "bad ids"u8.ToArray()], bytes);
    }

    [Fact]
    public void Status_EncodesCodeAndMessage() =>
        Assert.Equal([0x08, 3, 0x12, 2, (byte)'n', (byte)'o'], OtlpResponses.Status(GrpcStatusCode.InvalidArgument, "no"));
}
