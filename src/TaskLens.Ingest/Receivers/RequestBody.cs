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

    /// <summary>Reads the body; null when it is longer than <paramref name="maxBytes"/>.</summary>
    public static async Task<RequestBody?> ReadAsync(PipeReader reader, int maxBytes, long? contentLength, CancellationToken cancellationToken)
    {
        if (contentLength > maxBytes)
        {
            return null;
        }

        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(contentLength ?? 16 * 1024, 256, maxBytes));
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
                    ArrayPool<byte>.Shared.Return(buffer);
                    return null;
                }

                if (length + data.Length > buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)Math.Max(buffer.Length * 2, length + data.Length), maxBytes));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                data.CopyTo(buffer.AsSpan(length));
                length += (int)data.Length;
                reader.AdvanceTo(data.End);
                if (read.IsCompleted)
                {
                    return new RequestBody(buffer, length);
                }
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
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
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
