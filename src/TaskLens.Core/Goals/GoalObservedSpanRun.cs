using TaskLens.Core.Incidents;
using TaskLens.Core.Telemetry;

namespace TaskLens.Core.Goals;

/// <summary>
/// A run of <see cref="GoalRollupSpanRowSink"/>: passes every span on to storage's run and reads its goal facts
/// (<see cref="RunSpanReader"/>) from the same UTF-8, so no span is read twice and no string is made for the
/// attributes. Once the run is stored, the rollup takes the facts and correlation the resources' workloads; a failure
/// there is reported, never thrown (the spans are stored, and must not be written again for it).
/// </summary>
internal sealed class GoalObservedSpanRun(
    ISpanRowRun inner, string tenant, GoalRollup rollup, TimeProvider time, Action<Exception> rollupFailed, IServiceLinks? links) : ISpanRowRun
{
    private static readonly byte[] NamespaceKey = "k8s.namespace.name"u8.ToArray();

    private readonly RunSpanReader _reader = rollup.Reader;
    private readonly ObservedSpans _spans = new();
    private string _service = "";
    private SpanBatch? _resources;
    private Exception? _failure;
    private bool _observed;
    private bool _disposed;

    public int SpanCount => inner.SpanCount;

    public void Resource(Utf8SpanParts parts, in Utf8Resource resource)
    {
        ArgumentNullException.ThrowIfNull(parts);
        inner.Resource(parts, resource);
        _service = _reader.Service(parts.Text(resource.ServiceName));
        if (links is not null && HasNamespace(parts, resource.Attributes))
        {
            // Only resources that name a Kubernetes namespace teach correlation anything (ServiceLinkCache), and they
            // are a handful per export: those are kept as strings.
            var batch = _resources ??= new SpanBatch { Tenant = tenant };
            var start = batch.AttributeCount;
            foreach (ref readonly var attribute in parts.AttributesOf(resource.Attributes))
            {
                batch.AddAttribute(new AttributeRecord(
                    System.Text.Encoding.UTF8.GetString(parts.Text(attribute.Key)), attribute.Type, System.Text.Encoding.UTF8.GetString(parts.Text(attribute.Value))));
            }

            batch.AddResource(new ResourceRecord(new AttributeRange(start, batch.AttributeCount - start), resource.DroppedAttributesCount, "", _service));
        }
    }

    public void Scope(Utf8SpanParts parts, in Utf8Scope scope) => inner.Scope(parts, scope);

    public void Span(Utf8SpanParts parts, in Utf8Span span)
    {
        inner.Span(parts, span);
        if (_failure is not null)
        {
            return;
        }

        try
        {
            _spans.Add(_reader.Read(parts, span, _service), span.TraceIdHigh, span.TraceIdLow);
        }
#pragma warning disable CA1031 // Reported once the run is stored; the spans must be stored whatever the rollup makes of them.
        catch (Exception e)
#pragma warning restore CA1031
        {
            _failure = e;
        }
    }

    public async Task StoreAsync(CancellationToken cancellationToken)
    {
        await inner.StoreAsync(cancellationToken);
        if (_observed)
        {
            return;
        }

        _observed = true;
        try
        {
            if (_failure is not null)
            {
                throw new InvalidOperationException("Reading the goal facts of a stored run failed.", _failure);
            }

            rollup.Observe(tenant, _spans, time.GetUtcNow().ToUnixTimeMilliseconds());
            if (_resources is not null)
            {
                links?.ObserveResources(_resources);
            }
        }
#pragma warning disable CA1031 // Any failure of the rollup is reported; the stored run must not be refused for it.
        catch (Exception e)
#pragma warning restore CA1031
        {
            rollupFailed(e);
        }
    }

    public void Dispose()
    {
        inner.Dispose();
        if (!_disposed)
        {
            _disposed = true;
            _spans.Dispose();
        }
    }

    private static bool HasNamespace(Utf8SpanParts parts, AttributeRange attributes)
    {
        foreach (ref readonly var attribute in parts.AttributesOf(attributes))
        {
            if (parts.Text(attribute.Key).SequenceEqual(NamespaceKey))
            {
                return true;
            }
        }

        return false;
    }
}
