namespace TaskLens.Core.Telemetry;

/// <summary>
/// What a trace decoder hands its spans to when it writes them straight into storage rows (the spool drainer): the
/// resources, scopes and spans of an export in wire order, as UTF-8 text, so no string is made for text that is only
/// copied. <see cref="Resource"/> comes before its scopes, <see cref="Scope"/> before its spans. The parts given with a
/// resource and its scopes stay as they are until the next <see cref="Resource"/>; the parts given with a span only
/// for that call. Only accepted spans are written (a rejected span of OTLP partial success is not).
/// </summary>
public interface ISpanRowWriter
{
    void Resource(Utf8SpanParts parts, in Utf8Resource resource);

    void Scope(Utf8SpanParts parts, in Utf8Scope scope);

    void Span(Utf8SpanParts parts, in Utf8Span span);
}
