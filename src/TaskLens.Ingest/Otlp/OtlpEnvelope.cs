using TaskLens.Core.Telemetry;

namespace TaskLens.Ingest.Otlp;

/// <summary>
/// Walks the envelope every OTLP export request shares — request → Resource* (resource = 1, items = 2,
/// schema_url = 3) → Scope* (scope = 1, items = 2, schema_url = 3) → item — and hands each item to a decoder with
/// its resource and scope. Used by the log and metric decoders (spans have their own flat decoder).
/// </summary>
internal static class OtlpEnvelope
{
    public delegate bool ItemDecoder(ReadOnlySpan<byte> item, ItemContext context, out string? error);

    /// <summary>Runs <paramref name="decode"/> on every item; false and a path-prefixed reason when malformed.</summary>
    public static bool TryWalk(ReadOnlySpan<byte> request, (string Resource, string Scope, string Item) names, ItemContext context, ItemDecoder decode, out string? error)
    {
        var reader = new ProtoReader(request);
        var resourceIndex = 0;
        while (!reader.End)
        {
            if (!reader.TryReadTag(out var field, out var wireType))
            {
                error = "request: bad field tag";
                return false;
            }

            if (field != 1)
            {
                if (!reader.TrySkip(wireType))
                {
                    error = $"request: field {field} truncated";
                    return false;
                }

                continue;
            }

            if (wireType != WireType.LengthDelimited || !reader.TryReadLengthDelimited(out var resourceItems))
            {
                error = $"{names.Resource}[{resourceIndex}]: truncated or of the wrong wire type";
                return false;
            }

            if (!TryWalkResource(resourceItems, names, context, decode, out error))
            {
                error = $"{names.Resource}[{resourceIndex}].{error}";
                return false;
            }

            resourceIndex++;
        }

        error = null;
        return true;
    }

    private static bool TryWalkResource(ReadOnlySpan<byte> message, (string Resource, string Scope, string Item) names, ItemContext context, ItemDecoder decode, out string? error)
    {
        if (!OtlpCommon.TryReadHeader(message, 2, out var resourceBytes, out var schemaUrl, out error))
        {
            return false;
        }

        if (!OtlpCommon.TryDecodeResource(resourceBytes, schemaUrl, out var resource, out error))
        {
            error = "resource." + error;
            return false;
        }

        context.Resource = resource;
        context.ResourceHash = Fingerprint.Hash(resourceBytes);
        var reader = new ProtoReader(message);
        var scopeIndex = 0;
        while (!reader.End)
        {
            reader.TryReadTag(out var field, out var wireType);
            if (field != 2)
            {
                reader.TrySkip(wireType);
                continue;
            }

            reader.TryReadLengthDelimited(out var scopeItems);
            if (!TryWalkScope(scopeItems, names.Item, context, decode, out error))
            {
                error = $"{names.Scope}[{scopeIndex}].{error}";
                return false;
            }

            scopeIndex++;
        }

        return true;
    }

    private static bool TryWalkScope(ReadOnlySpan<byte> message, string itemName, ItemContext context, ItemDecoder decode, out string? error)
    {
        if (!OtlpCommon.TryReadHeader(message, 2, out var scopeBytes, out var schemaUrl, out error))
        {
            return false;
        }

        if (!OtlpCommon.TryDecodeScope(scopeBytes, schemaUrl, out var scope, out error))
        {
            error = "scope." + error;
            return false;
        }

        context.Scope = scope;
        context.ScopeHash = Fingerprint.Hash(scopeBytes, context.ResourceHash);
        var reader = new ProtoReader(message);
        var itemIndex = 0;
        while (!reader.End)
        {
            reader.TryReadTag(out var field, out var wireType);
            if (field != 2)
            {
                reader.TrySkip(wireType);
                continue;
            }

            reader.TryReadLengthDelimited(out var item);
            if (!decode(item, context, out error))
            {
                error = $"{itemName}[{itemIndex}].{error}";
                return false;
            }

            itemIndex++;
        }

        return true;
    }

    /// <summary>Where the walk is, and the running accept/reject tally of the export.</summary>
    public sealed class ItemContext
    {
        public TelemetryResource Resource { get; set; } = OtlpCommon.EmptyResource;

        public TelemetryScope Scope { get; set; } = OtlpCommon.EmptyScope;

        public ulong ResourceHash { get; set; }

        /// <summary>Hash of the resource and scope bytes: the seed of every item's fingerprint.</summary>
        public ulong ScopeHash { get; set; }

        public int Accepted { get; set; }

        public int Rejected { get; set; }

        public string? FirstRejection { get; private set; }

        /// <summary>Counts a rejected item (OTLP partial success); <paramref name="what"/> names it in the message.</summary>
        public void Reject(string what, string reason)
        {
            Rejected++;
            FirstRejection ??= $"{what}: {reason}";
        }

        public OtlpDecodeResult Result() => new(Accepted, Rejected, FirstRejection, null);
    }
}
