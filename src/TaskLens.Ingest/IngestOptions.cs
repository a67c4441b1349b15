namespace TaskLens.Ingest;

/// <summary>Every ingest limit and the ingest keys, bound from <c>TaskLens:Ingest</c>.</summary>
public sealed class IngestOptions
{
    public const string SectionName = "TaskLens:Ingest";

    /// <summary>
    /// The largest export accepted, counted after decompression so a small gzip body cannot inflate past it.
    /// Larger requests get HTTP 413 or gRPC RESOURCE_EXHAUSTED. 64 MiB matches the OTLP exporters' own ceilings.
    /// </summary>
    public int MaxRequestBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>
    /// Seconds a client is told to wait before retrying when TaskLens pushes back (HTTP <c>Retry-After</c>, gRPC
    /// <c>RetryInfo</c>) or the store cannot take an export.
    /// </summary>
    public int RetryAfterSeconds { get; set; } = 1;

    /// <summary>
    /// The bound on bytes of exports in flight — being read, inflated, decoded, queued for ClickHouse or being written —
    /// counted as the buffers their bodies take, before each is used. Past it, exports are pushed back with a retry hint. 256 MiB keeps the process
    /// well under 1 GiB when ClickHouse is slow (the decoded batch costs a small multiple of the request).
    /// </summary>
    public long MaxBytesInFlight { get; set; } = 256L * 1024 * 1024;

    /// <summary>
    /// At most this many bytes of ingest's large buffers (request bodies, inflated bodies, spool reads) are kept for
    /// reuse between exports; the rest go back to the GC. The buffers in use are bounded by <see cref="MaxBytesInFlight"/>
    /// and the drainer's read size; this bounds what is kept while none uses them, which the runtime's shared pool did
    /// not (docs/ingest.md, memory). Never more than <see cref="MaxBytesInFlight"/>, whichever is set lower.
    /// </summary>
    public long PooledBufferBytes { get; set; } = Receivers.IngestBufferPool.DefaultRetainBytes;

    /// <summary>The most of <see cref="MaxBytesInFlight"/> one tenant may hold, so others always find room.</summary>
    public double MaxTenantShare { get; set; } = 0.5;

    /// <summary>
    /// Ingest API keys and the tenant each one writes as (keys created on the admin page are accepted as well). Configure as a list, e.g.
    /// <c>TaskLens__Ingest__ApiKeys__0__Key=…</c> and <c>TaskLens__Ingest__ApiKeys__0__Tenant=acme</c>.
    /// </summary>
    public IList<IngestApiKey> ApiKeys { get; } = [];

    /// <summary>
    /// The longest <c>service.name</c> accepted, in UTF-8 bytes; an export with a longer one is refused as invalid
    /// (400 / INVALID_ARGUMENT) rather than stored under a name that fills ClickHouse's sort key.
    /// </summary>
    public int MaxServiceNameBytes { get; set; } = 1024;

    /// <summary>
    /// The header carrying the key. <c>Authorization</c> (the default) expects <c>Bearer &lt;key&gt;</c>, as the OTLP
    /// exporters' <c>OTEL_EXPORTER_OTLP_HEADERS</c> usually send it; any other header carries the bare key.
    /// </summary>
    public string ApiKeyHeader { get; set; } = "Authorization";

    /// <summary>
    /// Local use without keys: an export with no key is stored under <see cref="Tenants.Default"/>. Allowed only
    /// while every listener is on loopback (checked at start-up). A key that is sent must still be known.
    /// </summary>
    public bool OpenMode { get; set; }

    /// <summary>
    /// Which server answers OTLP/gRPC: <c>Framing</c>, TaskLens's own gRPC framing on Kestrel, or <c>Standard</c>,
    /// Grpc.AspNetCore with a raw-bytes marshaller into the same decoder. docs/ingest.md says why the default is the one it is.
    /// </summary>
    public GrpcServerKind GrpcServer { get; set; } = GrpcServerKind.Standard;

    /// <summary>
    /// Whether the standard gRPC server is chosen with less than four times <see cref="MaxRequestBytes"/> in flight:
    /// it takes up to twice a message's inflated size for gzip plus the message in its request pipe, so a message near
    /// the limit may then be refused with RESOURCE_EXHAUSTED although the framing would have admitted it (docs/ingest.md,
    /// gRPC). Warned about at start-up, not refused: it matters only if such large exports are expected.
    /// </summary>
    public bool StandardGrpcBudgetIsTight => GrpcServer == GrpcServerKind.Standard && MaxBytesInFlight < 4L * MaxRequestBytes;


    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        // No configured key and open mode off is valid: ingest keys may be stored from the admin page (docs/access.md).
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < ApiKeys.Count; i++)
        {
            var key = ApiKeys[i];
            if (string.IsNullOrWhiteSpace(key.Key) || key.Key.Length < 16)
            {
                errors.Add($"ApiKeys[{i}].Key must be at least 16 characters.");
            }
            else if (!seen.Add(key.Key))
            {
                errors.Add($"ApiKeys[{i}].Key is listed twice.");
            }

            if (string.IsNullOrWhiteSpace(key.Tenant) || key.Tenant.Length > 128)
            {
                errors.Add($"ApiKeys[{i}].Tenant must be 1 to 128 characters.");
            }
        }

        // A request holds its compressed body and its inflated form at once, each in a pooled buffer of a power-of-two size.
        var largest = 2 * Receivers.IBufferBudget.RentedSize(MaxRequestBytes);
        if (MaxBytesInFlight < largest)
        {
            errors.Add($"MaxBytesInFlight {MaxBytesInFlight} must be at least {largest} (twice MaxRequestBytes {MaxRequestBytes}, in power-of-two buffers: a compressed body and its inflated form), or the largest export could never be admitted.");
        }

        if (PooledBufferBytes < 0)
        {
            errors.Add($"PooledBufferBytes {PooledBufferBytes} must be 0 or more.");
        }

        if (MaxTenantShare is <= 0 or > 1)
        {
            errors.Add($"MaxTenantShare {MaxTenantShare} must be above 0 and at most 1.");
        }

        if (string.IsNullOrWhiteSpace(ApiKeyHeader))
        {
            errors.Add("ApiKeyHeader must name a header.");
        }

        if (MaxRequestBytes is < 1024 or > 1024 * 1024 * 1024)
        {
            errors.Add($"MaxRequestBytes {MaxRequestBytes} must be between 1 KiB and 1 GiB.");
        }

        if (MaxServiceNameBytes is < 64 or > 1024 * 1024)
        {
            errors.Add($"MaxServiceNameBytes {MaxServiceNameBytes} must be between 64 and 1048576.");
        }

        if (!Enum.IsDefined(GrpcServer))
        {
            errors.Add($"GrpcServer {GrpcServer} must be Framing or Standard.");
        }

        if (RetryAfterSeconds is < 1 or > 3600)
        {
            errors.Add($"RetryAfterSeconds {RetryAfterSeconds} must be between 1 and 3600.");
        }

        return errors;
    }
}
