namespace TaskLens.Core.Telemetry;

/// <summary>
/// Decoded spans of one or more OTLP trace exports, held as flat arrays of value records so that decoding
/// thousands of spans allocates no object per span (only their strings). Records point into the shared
/// attribute, event and link arrays by (start, count) ranges. A batch is reused after <see cref="Clear"/>.
/// </summary>
public sealed class SpanBatch
{
    private ResourceRecord[] _resources = new ResourceRecord[4];
    private ScopeRecord[] _scopes = new ScopeRecord[4];
    private SpanRecord[] _spans = new SpanRecord[64];
    private AttributeRecord[] _attributes = new AttributeRecord[256];
    private EventRecord[] _events = new EventRecord[16];
    private LinkRecord[] _links = new LinkRecord[8];

    /// <summary>The tenant every span in this batch belongs to.</summary>
    public string Tenant { get; set; } = Tenants.Default;

    public int ResourceCount { get; private set; }
    public int ScopeCount { get; private set; }
    public int SpanCount { get; private set; }
    public int AttributeCount { get; private set; }
    public int EventCount { get; private set; }
    public int LinkCount { get; private set; }

    public ReadOnlySpan<ResourceRecord> Resources => _resources.AsSpan(0, ResourceCount);
    public ReadOnlySpan<ScopeRecord> Scopes => _scopes.AsSpan(0, ScopeCount);
    public ReadOnlySpan<SpanRecord> Spans => _spans.AsSpan(0, SpanCount);
    public ReadOnlySpan<AttributeRecord> Attributes => _attributes.AsSpan(0, AttributeCount);
    public ReadOnlySpan<EventRecord> Events => _events.AsSpan(0, EventCount);
    public ReadOnlySpan<LinkRecord> Links => _links.AsSpan(0, LinkCount);

    public ReadOnlySpan<AttributeRecord> AttributesOf(AttributeRange range) => _attributes.AsSpan(range.Start, range.Count);

    public ReadOnlySpan<EventRecord> EventsOf(in SpanRecord span) => _events.AsSpan(span.EventStart, span.EventCount);

    public ReadOnlySpan<LinkRecord> LinksOf(in SpanRecord span) => _links.AsSpan(span.LinkStart, span.LinkCount);

    public int AddResource(in ResourceRecord record) => Add(ref _resources, ResourceCount++, record);

    public int AddScope(in ScopeRecord record) => Add(ref _scopes, ScopeCount++, record);

    public int AddSpan(in SpanRecord record) => Add(ref _spans, SpanCount++, record);

    public int AddAttribute(in AttributeRecord record) => Add(ref _attributes, AttributeCount++, record);

    public int AddEvent(in EventRecord record) => Add(ref _events, EventCount++, record);

    public int AddLink(in LinkRecord record) => Add(ref _links, LinkCount++, record);

    /// <summary>The current length of every array, to return to with <see cref="Truncate"/>.</summary>
    public SpanBatchMark Mark() => new(ResourceCount, ScopeCount, SpanCount, AttributeCount, EventCount, LinkCount);

    /// <summary>
    /// Drops everything added since <paramref name="mark"/>: a decoder uses it to discard a rejected span with the
    /// attributes, events and links it had already added, or a whole malformed export.
    /// </summary>
    public void Truncate(SpanBatchMark mark)
    {
        ResourceCount = Math.Min(ResourceCount, mark.Resources);
        ScopeCount = Math.Min(ScopeCount, mark.Scopes);
        SpanCount = Math.Min(SpanCount, mark.Spans);
        AttributeCount = Math.Min(AttributeCount, mark.Attributes);
        EventCount = Math.Min(EventCount, mark.Events);
        LinkCount = Math.Min(LinkCount, mark.Links);
    }

    /// <summary>Empties the batch, keeping its arrays for reuse.</summary>
    public void Clear()
    {
        // Clear references so strings of the previous batch can be collected.
        Array.Clear(_resources, 0, ResourceCount);
        Array.Clear(_scopes, 0, ScopeCount);
        Array.Clear(_spans, 0, SpanCount);
        Array.Clear(_attributes, 0, AttributeCount);
        Array.Clear(_events, 0, EventCount);
        Array.Clear(_links, 0, LinkCount);
        ResourceCount = ScopeCount = SpanCount = AttributeCount = EventCount = LinkCount = 0;
    }

    private static int Add<T>(ref T[] array, int index, in T record)
    {
        if (index == array.Length)
        {
            Array.Resize(ref array, array.Length * 2);
        }

        array[index] = record;
        return index;
    }
}
