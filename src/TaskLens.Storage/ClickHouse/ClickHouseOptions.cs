namespace TaskLens.Storage.ClickHouse;

/// <summary>Every storage setting, bound from <c>TaskLens:ClickHouse</c>; defaults live here.</summary>
public sealed class ClickHouseOptions
{
    public const string SectionName = "TaskLens:ClickHouse";

    /// <summary>The HTTP interface, e.g. <c>http://clickhouse:8123</c>. Unset: TaskLens runs an embedded server.</summary>
    public string? Url { get; set; }

    public string Database { get; set; } = "tasklens";

    public string User { get; set; } = "default";

    public string Password { get; set; } = string.Empty;

    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries of a transient failure (connection refused, timeout, server overload), not of bad SQL.</summary>
    public int MaxRetries { get; set; } = 4;

    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>A span insert is sent when this many spans wait…</summary>
    public int FlushMaxSpans { get; set; } = 10_000;

    /// <summary>…or this long after the first of them arrived…</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// …or when no further export has arrived for this long. A lone burst is then written (and acknowledged) at
    /// once instead of waiting out the interval, while a steady stream still fills large inserts.
    /// </summary>
    public TimeSpan FlushLinger { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Exports waiting for an insert; past this, receivers wait too (back-pressure, not memory growth).</summary>
    public int MaxPendingExports { get; set; } = 256;

    /// <summary>
    /// Bytes of insert-body segments kept for reuse between inserts (<see cref="RowBinaryBufferPool"/>); the rest go
    /// back to the GC. The default holds what the spool drainer has at once (two inserts in flight of 12 MiB runs and the
    /// next being encoded); the segments in use are bounded by the inserts in flight, not by this.
    /// </summary>
    public long PooledInsertBytes { get; set; } = RowBinaryBufferPool.DefaultRetainBytes;

    /// <summary>Span retention, applied as a TTL on servers that support TTL (20.3+).</summary>
    public int RetentionDays { get; set; } = 30;

    /// <summary>
    /// Cluster mode: the name of a cluster in the servers' <c>remote_servers</c>. Tables are then created
    /// <c>ON CLUSTER</c> as Replicated*MergeTree (<c>NAME_local</c>) with a Distributed table of the plain name over
    /// them (docs/operations.md, "From one node to a cluster"). Unset: one server, plain MergeTree tables.
    /// </summary>
    public string? Cluster { get; set; }

    /// <summary>
    /// Cluster mode: the ZooKeeper path under which each replicated table keeps its replicas, before
    /// <c>/DATABASE/TABLE_local</c>; <c>{shard}</c> is the server's macro, so each shard has its own.
    /// </summary>
    public string ReplicationPath { get; set; } = "/clickhouse/tables/{shard}";

    /// <summary>Whether <see cref="Cluster"/> is set (an empty value, as an empty environment variable gives, is not).</summary>
    public bool IsCluster => !string.IsNullOrEmpty(Cluster);

    /// <summary>Days per signal, each defaulting to <see cref="RetentionDays"/> (docs/operations.md#retention).</summary>
    public Retention.RetentionDays Retention { get; set; } = new();

    public string EmbeddedDataPath { get; set; } = ".tasklens/clickhouse";

    public int EmbeddedHttpPort { get; set; } = 18123;

    public int EmbeddedTcpPort { get; set; } = 19000;

    public string EmbeddedServerPath { get; set; } = "clickhouse-server";

    /// <summary>Every configuration error at once, empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Url is not null && (!Uri.TryCreate(Url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)))
        {
            errors.Add($"Url '{Url}' is not an http:// or https:// URL.");
        }

        if (!ClickHouseSql.IsPlainIdentifier(Database))
        {
            errors.Add($"Database '{Database}' must be letters, digits and underscores, not starting with a digit.");
        }

        if (RequestTimeout <= TimeSpan.Zero)
        {
            errors.Add("RequestTimeout must be positive.");
        }

        if (MaxRetries < 0)
        {
            errors.Add("MaxRetries must not be negative.");
        }

        if (RetryBaseDelay < TimeSpan.Zero)
        {
            errors.Add("RetryBaseDelay must not be negative.");
        }

        if (FlushMaxSpans < 1)
        {
            errors.Add("FlushMaxSpans must be at least 1.");
        }

        if (FlushInterval <= TimeSpan.Zero)
        {
            errors.Add("FlushInterval must be positive.");
        }

        if (FlushLinger <= TimeSpan.Zero || FlushLinger > FlushInterval)
        {
            errors.Add("FlushLinger must be positive and at most FlushInterval.");
        }

        if (MaxPendingExports < 1)
        {
            errors.Add("MaxPendingExports must be at least 1.");
        }

        if (PooledInsertBytes < 0)
        {
            errors.Add("PooledInsertBytes must not be negative.");
        }

        if (RetentionDays < 1)
        {
            errors.Add("RetentionDays must be at least 1.");
        }

        if (IsCluster)
        {
            if (!ClickHouseSql.IsPlainIdentifier(Cluster))
            {
                errors.Add($"Cluster '{Cluster}' must be letters, digits and underscores, not starting with a digit.");
            }

            if (Url is null)
            {
                errors.Add("Cluster needs Url: the embedded server is a single node; point Url at a server of the cluster.");
            }
        }

        if (!ReplicationPath.StartsWith('/') || ReplicationPath.EndsWith('/')
            || ReplicationPath.Any(c => c is '\'' or '\\' or '`' || char.IsControl(c)))
        {
            errors.Add($"ReplicationPath '{ReplicationPath}' must start with '/', not end with one, and hold no quote, backslash or control character.");
        }

        errors.AddRange(Retention.Problems());

        foreach (var (name, port) in new[] { (nameof(EmbeddedHttpPort), EmbeddedHttpPort), (nameof(EmbeddedTcpPort), EmbeddedTcpPort) })
        {
            if (port is < 1 or > 65535)
            {
                errors.Add($"{name} {port} is not a TCP port (1-65535).");
            }
        }

        if (EmbeddedHttpPort == EmbeddedTcpPort)
        {
            errors.Add("EmbeddedHttpPort and EmbeddedTcpPort must differ.");
        }

        return errors;
    }
}
