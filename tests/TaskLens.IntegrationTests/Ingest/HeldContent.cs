using System.Net;

namespace TaskLens.IntegrationTests.Ingest;

/// <summary>
/// A request body sent in two parts: the first at once, the rest only once <see cref="Release"/> is called — an export
/// still in flight, or one whose sender never finishes it. Its length is not declared, as gRPC clients send.
/// </summary>
internal sealed class HeldContent(byte[] first, byte[] rest) : HttpContent
{
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => _released.TrySetResult();

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(first, cancellationToken);
        await stream.FlushAsync(cancellationToken);
        await _released.Task.WaitAsync(cancellationToken);
        await stream.WriteAsync(rest, cancellationToken);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = -1;
        return false;
    }
}
