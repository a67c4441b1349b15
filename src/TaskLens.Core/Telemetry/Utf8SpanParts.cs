using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Unicode;

namespace TaskLens.Core.Telemetry;

/// <summary>
/// The text and attribute, event and link records of one span (or of a resource and its scopes) as a decoder reads
/// them for <see cref="ISpanRowWriter"/>: UTF-8 in one reused buffer, records pointing into it by range. Text is
/// always valid UTF-8: invalid sequences are replaced by U+FFFD on the way in, exactly as decoding them into a .NET
/// string and encoding that again would, so rows written from here equal rows written from a <see cref="SpanBatch"/>.
/// Valid text that lies in the <see cref="UseSource">source</see> (the export being decoded) is not copied: its range
/// points there (a negative start), so each slice is copied once, from the export into the row.
/// </summary>
public sealed class Utf8SpanParts
{
    private byte[] _text = new byte[4096];
    private Utf8KeyValue[] _attributes = new Utf8KeyValue[32];
    private Utf8Event[] _events = new Utf8Event[4];
    private Utf8Link[] _links = new Utf8Link[4];

    private byte[]? _source;
    private int _sourceStart;
    private int _sourceLength;

    public int TextLength { get; private set; }
    public int AttributeCount { get; private set; }
    public int EventCount { get; private set; }
    public int LinkCount { get; private set; }

    public ReadOnlySpan<Utf8KeyValue> Attributes => _attributes.AsSpan(0, AttributeCount);
    public ReadOnlySpan<Utf8Event> Events => _events.AsSpan(0, EventCount);
    public ReadOnlySpan<Utf8Link> Links => _links.AsSpan(0, LinkCount);

    public ReadOnlySpan<Utf8KeyValue> AttributesOf(AttributeRange range) => _attributes.AsSpan(range.Start, range.Count);

    public ReadOnlySpan<byte> Text(Utf8Range range) => range.Start >= 0 ? _text.AsSpan(range.Start, range.Length) : SourceText(range);

    /// <summary>
    /// Until <see cref="ReleaseSource"/>, text added from within <paramref name="source"/> is kept as a range of it instead
    /// of a copy; the caller keeps <paramref name="source"/> unchanged meanwhile. Memory that is not an array is copied.
    /// </summary>
    public void UseSource(ReadOnlyMemory<byte> source)
    {
        if (MemoryMarshal.TryGetArray(source, out var segment))
        {
            (_source, _sourceStart, _sourceLength) = (segment.Array, segment.Offset, segment.Count);
        }
        else
        {
            _source = null;
        }
    }

    /// <summary>Forgets the source: ranges of it read from then on are a programming error (they throw).</summary>
    public void ReleaseSource() => _source = null;

    /// <summary>Copies <paramref name="utf8"/> in, invalid sequences replaced (see the type's remarks), unless it lies in the source.</summary>
    public Utf8Range AddText(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            return new Utf8Range(TextLength, 0);
        }

        if (Utf8.IsValid(utf8))
        {
            if (_source is not null)
            {
                // Where utf8 starts, counted from the source array's first byte: inside the source only if it is a slice of it.
                var offset = (long)Unsafe.ByteOffset(ref MemoryMarshal.GetArrayDataReference(_source), ref MemoryMarshal.GetReference(utf8));
                if (offset >= _sourceStart && offset + utf8.Length <= (long)_sourceStart + _sourceLength)
                {
                    return new Utf8Range(~(int)offset, utf8.Length);
                }
            }

            utf8.CopyTo(TextSpace(utf8.Length));
            return CommitText(utf8.Length);
        }

        return AddText(Encoding.UTF8.GetString(utf8));
    }

    public Utf8Range AddText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var written = Encoding.UTF8.GetBytes(text, TextSpace(Encoding.UTF8.GetMaxByteCount(text.Length)));
        return CommitText(written);
    }

    /// <summary>Room for at least <paramref name="maxBytes"/> of text, to format into; then <see cref="CommitText"/>.</summary>
    public Span<byte> TextSpace(int maxBytes)
    {
        if (TextLength + maxBytes > _text.Length)
        {
            Array.Resize(ref _text, Math.Max(_text.Length * 2, TextLength + maxBytes));
        }

        return _text.AsSpan(TextLength);
    }

    /// <summary>Keeps the first <paramref name="written"/> bytes of the last <see cref="TextSpace"/>.</summary>
    public Utf8Range CommitText(int written)
    {
        var range = new Utf8Range(TextLength, written);
        TextLength += written;
        return range;
    }

    public int AddAttribute(in Utf8KeyValue attribute) => Add(ref _attributes, AttributeCount++, attribute);

    public int AddEvent(in Utf8Event e) => Add(ref _events, EventCount++, e);

    public int AddLink(in Utf8Link link) => Add(ref _links, LinkCount++, link);

    /// <summary>Empties the parts, keeping their arrays (they hold no references).</summary>
    public void Clear() => TextLength = AttributeCount = EventCount = LinkCount = 0;

    private ReadOnlySpan<byte> SourceText(Utf8Range range) =>
        (_source ?? throw new InvalidOperationException("Text of a decoded export read after its decode ended.")).AsSpan(~range.Start, range.Length);

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
