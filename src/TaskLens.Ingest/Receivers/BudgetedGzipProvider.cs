using System.IO.Compression;
using Grpc.Core;
using Grpc.Net.Compression;

namespace TaskLens.Ingest.Receivers;

/// <summary>
/// gzip for the standard gRPC server, with the inflated message counted against the call's admission lease and bounded
/// by <c>MaxRequestBytes</c> as it is produced. Grpc.AspNetCore inflates a compressed message into a growing
/// <see cref="MemoryStream"/> with no bound of its own (its size limit applies to the compressed message), so a small
/// body that inflates to gigabytes was read whole before the marshaller could refuse it. Only gzip is offered, as
/// with the framing: a deflate message is answered UNIMPLEMENTED by the server.
/// </summary>
internal sealed class BudgetedGzipProvider : ICompressionProvider
{
    public string EncodingName => "gzip";

    public Stream CreateCompressionStream(Stream stream, CompressionLevel? compressionLevel) =>
        new GZipStream(stream, compressionLevel ?? CompressionLevel.Fastest, leaveOpen: true);

    public Stream CreateDecompressionStream(Stream stream)
    {
        var gzip = new GZipStream(stream, CompressionMode.Decompress);
        return GrpcExportCall.Current is { } call ? new CountedStream(gzip, call) : gzip;
    }

    /// <summary>Counts what the server's buffer takes for the bytes inflated so far, before it takes it.</summary>
    private sealed class CountedStream(Stream inner, GrpcExportCall call) : Stream
    {
        private long _produced;
        private long _counted;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => _produced;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var read = inner.Read(buffer);
            _produced += read;
            if (_produced > call.MaxRequestBytes)
            {
                throw call.Refuse(StatusCode.ResourceExhausted, $"The export is larger than {call.MaxRequestBytes} bytes after decompression.", "too_large");
            }

            // The server's MemoryStream doubles its array as it grows: at most twice what was inflated so far.
            var held = 2 * _produced;
            if (held > _counted)
            {
                if (!call.Lease.TryGrow(held - _counted))
                {
                    throw call.PushBack();
                }

                _counted = held;
            }

            return read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
