using System.Buffers;
using System.IO.Pipelines;

namespace TaskLens.Ingest.Receivers;

/// <summary>
/// A request body read whole into one pooled array, stopping as soon as it passes the size limit so an
/// oversized body costs at most the limit in memory. Dispose returns the array to the pool. The OTLP receivers and the
/// alert intake's webhooks read their bodies with it.
/// </summary>
public sealed class RequestBody : IDisposable
{
    private byte[] _buffer;

    private RequestBody(byte[] buffer, int length)
    {
        _buffer = buffer;
        Length = length;
    }

    public int Length { get; }

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, Length);

    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, Length);

    /// <summary>The size of the array the body is held in (what a budget counted for it).</summary>
    public int Capacity => _buffer.Length;

    /// <summary>Reads the body; null when it is longer than <paramref name="maxBytes"/>.</summary>
    public static async Task<RequestBody?> ReadAsync(PipeReader reader, int maxBytes, long? contentLength, CancellationToken cancellationToken) =>
        (await ReadAsync(reader, maxBytes, contentLength, null, cancellationToken)).Body;

    /// <summary>
    /// Reads the body, asking <paramref name="budget"/> before each buffer it rents — the first sized by the declared
    /// length, so a body that claims more than the budget allows is refused before a byte of it is read. Null body with
    /// <c>OverBudget</c> false: longer than <paramref name="maxBytes"/>; with it true: the budget said no.
    /// </summary>
    public static async Task<(RequestBody? Body, bool OverBudget)> ReadAsync(
        PipeReader reader, int maxBytes, long? contentLength, IBufferBudget? budget, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        if (contentLength > maxBytes)
        {
            return (null, false);
        }

        var first = (int)Math.Clamp(contentLength ?? 16 * 1024, 256, maxBytes);
        if (budget?.TryGrow(IBufferBudget.RentedSize(first)) == false)
        {
            return (null, true);
        }

        var buffer = IngestBufferPool.Shared.Rent(first);
        var length = 0;
        try
        {
            while (true)
            {
                var read = await reader.ReadAsync(cancellationToken);
                var data = read.Buffer;
                if (length + data.Length > maxBytes)
                {
                    reader.AdvanceTo(data.End);
                    IngestBufferPool.Shared.Return(buffer);
                    return (null, false);
                }

                if (length + data.Length > buffer.Length)
                {
                    var size = (int)Math.Min((long)Math.Max(buffer.Length * 2, length + data.Length), maxBytes);
                    if (budget?.TryGrow(IBufferBudget.RentedSize(size)) == false)
                    {
                        reader.AdvanceTo(data.End);
                        IngestBufferPool.Shared.Return(buffer);
                        return (null, true);
                    }

                    var larger = IngestBufferPool.Shared.Rent(size);
                    buffer.AsSpan(0, length).CopyTo(larger);
                    IngestBufferPool.Shared.Return(buffer);
                    budget?.Shrink(buffer.Length);
                    buffer = larger;
                }

                data.CopyTo(buffer.AsSpan(length));
                length += (int)data.Length;
                reader.AdvanceTo(data.End);
                if (read.IsCompleted)
                {
                    return (new RequestBody(buffer, length), false);
                }
            }
        }
        catch
        {
            IngestBufferPool.Shared.Return(buffer);
            throw;
        }
    }

    /// <summary>Wraps an array already rented from the shared pool (a decompressed body); takes ownership.</summary>
    public static RequestBody FromPooled(byte[] buffer, int length) => new(buffer, length);

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0)
        {
            IngestBufferPool.Shared.Return(buffer);
        }
    }
}
