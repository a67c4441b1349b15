using System.IO.Pipelines;

namespace TaskLens.Ingest.Receivers;

/// <summary>
/// The request body as the standard gRPC server reads it, with every byte it holds counted against the call's
/// admission lease first. Grpc.AspNetCore leaves a unary message unconsumed in the request pipe until all of it has
/// arrived, so the pipe holds the whole message (up to <c>MaxRequestBytes</c>) before the marshaller sees a byte; without
/// this, concurrent calls were bounded each by <c>MaxRequestBytes</c> but together by nothing. When the lease cannot
/// grow, the read ends the call with RESOURCE_EXHAUSTED and RetryInfo, as admission does.
/// </summary>
internal sealed class BudgetedGrpcBodyReader(PipeReader inner, GrpcExportCall call) : PipeReader
{
    // Kestrel holds request data in 4 KiB blocks.
    private const long Block = 4096;
    private long _counted;

    public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        var result = await inner.ReadAsync(cancellationToken);
        Count(result);
        return result;
    }

    public override bool TryRead(out ReadResult result)
    {
        if (!inner.TryRead(out result))
        {
            return false;
        }

        Count(result);
        return true;
    }

    public override void AdvanceTo(SequencePosition consumed) => inner.AdvanceTo(consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) => inner.AdvanceTo(consumed, examined);

    public override void CancelPendingRead() => inner.CancelPendingRead();

    public override void Complete(Exception? exception = null) => inner.Complete(exception);

    private void Count(ReadResult result)
    {
        var held = (result.Buffer.Length + Block - 1) / Block * Block;
        if (held <= _counted)
        {
            return;
        }

        if (!call.Lease.TryGrow(held - _counted))
        {
            // The read is finished before the refusal, so the server sees a reader in a clean state.
            inner.AdvanceTo(result.Buffer.End);
            throw call.PushBack();
        }

        _counted = held;
    }
}
