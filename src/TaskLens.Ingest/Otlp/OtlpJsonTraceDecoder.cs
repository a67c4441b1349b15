using System.Globalization;
using System.Text.Json;
using System.Text.Unicode;
using TaskLens.Core.Telemetry;

namespace TaskLens.Ingest.Otlp;

/// <summary>
/// Decodes OTLP/JSON <c>ExportTraceServiceRequest</c> (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding)
/// into a <see cref="SpanBatch"/> with the same records and canonical attribute text as the protobuf decoder.
/// The spec's quirks: trace and span ids are hex (not base64), enums are integers (names are accepted too, as the
/// protobuf JSON mapping allows), 64-bit integers come as strings or numbers, keys are lowerCamelCase (the proto
/// field names are accepted too), and unknown fields are ignored.
/// </summary>
public static partial class OtlpJsonTraceDecoder
{
    private const int MaxJsonDepth = 128;

    /// <summary>Same contract as <see cref="OtlpTraceDecoder.Decode"/>: never throws on any input.</summary>
    public static OtlpDecodeResult Decode(ReadOnlyMemory<byte> request, SpanBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);

        // JSON text must be UTF-8 (RFC 8259 §8.1); the parser does not check the bytes inside strings, and reading
        // such a string later would throw, so invalid UTF-8 is refused up front.
        if (!Utf8.IsValid(request.Span))
        {
            return OtlpDecodeResult.Malformed("the body is not valid UTF-8");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(request, new JsonDocumentOptions { MaxDepth = MaxJsonDepth });
        }
        catch (JsonException e)
        {
            return OtlpDecodeResult.Malformed("invalid JSON: " + e.Message);
        }

        using (document)
        {
            var start = batch.Mark();
            var state = new State();
            var error = DecodeRequest(document.RootElement, batch, ref state);
            if (error is not null)
            {
                batch.Truncate(start);
                return OtlpDecodeResult.Malformed(error);
            }

            return new OtlpDecodeResult(state.Accepted, state.Rejected, state.FirstRejection, null);
        }
    }

    private static string? DecodeRequest(JsonElement root, SpanBatch batch, ref State state)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return "ExportTraceServiceRequest must be a JSON object";
        }

        var resourceSpans = Array(root, "resourceSpans", "resource_spans", out var error);
        for (var r = 0; error is null && r < resourceSpans.Length; r++)
        {
            error = Prefix($"resourceSpans[{r}].", DecodeResourceSpans(resourceSpans[r], batch, ref state));
        }

        return error;
    }

    private static string? DecodeResourceSpans(JsonElement resourceSpans, SpanBatch batch, ref State state)
    {
        if (resourceSpans.ValueKind != JsonValueKind.Object)
        {
            return "must be an object";
        }

        var attributesStart = batch.AttributeCount;
        uint dropped = 0;
        var serviceName = "unknown_service";
        if (Property(resourceSpans, "resource", "resource", out var resource) && resource.ValueKind != JsonValueKind.Null)
        {
            if (resource.ValueKind != JsonValueKind.Object)
            {
                return "resource must be an object";
            }

            var droppedError = UInt32(resource, "droppedAttributesCount", "dropped_attributes_count", out dropped);
            var error = Prefix("resource.", droppedError ?? AddAttributes(resource, "attributes", batch));
            if (error is not null)
            {
                return error;
            }

            foreach (var attribute in batch.Attributes[attributesStart..])
            {
                if (attribute.Key == "service.name" && attribute.Type == AttributeValueType.String)
                {
                    serviceName = attribute.Value;
                }
            }
        }

        var schemaError = String(resourceSpans, "schemaUrl", "schema_url", out var schemaUrl);
        if (schemaError is not null)
        {
            return schemaError;
        }

        var resourceIndex = batch.AddResource(new ResourceRecord(new AttributeRange(attributesStart, batch.AttributeCount - attributesStart), dropped, schemaUrl, serviceName));
        var scopeSpans = Array(resourceSpans, "scopeSpans", "scope_spans", out var arrayError);
        if (arrayError is not null)
        {
            return arrayError;
        }

        for (var s = 0; s < scopeSpans.Length; s++)
        {
            var error = Prefix($"scopeSpans[{s}].", DecodeScopeSpans(scopeSpans[s], resourceIndex, batch, ref state));
            if (error is not null)
            {
                return error;
            }
        }

        return null;
    }

    private static string? DecodeScopeSpans(JsonElement scopeSpans, int resourceIndex, SpanBatch batch, ref State state)
    {
        if (scopeSpans.ValueKind != JsonValueKind.Object)
        {
            return "must be an object";
        }

        var attributesStart = batch.AttributeCount;
        string name = string.Empty, version = string.Empty;
        uint dropped = 0;
        if (Property(scopeSpans, "scope", "scope", out var scope) && scope.ValueKind != JsonValueKind.Null)
        {
            var error = scope.ValueKind != JsonValueKind.Object
                ? "must be an object"
                : First(
                [
                    String(scope, "name", "name", out name),
                    String(scope, "version", "version", out version),
                    UInt32(scope, "droppedAttributesCount", "dropped_attributes_count", out dropped),
                ]) ?? AddAttributes(scope, "attributes", batch);
            if (error is not null)
            {
                return "scope." + error;
            }
        }

        var schemaError = String(scopeSpans, "schemaUrl", "schema_url", out var schemaUrl);
        if (schemaError is not null)
        {
            return schemaError;
        }

        var scopeIndex = batch.AddScope(new ScopeRecord(name, version, new AttributeRange(attributesStart, batch.AttributeCount - attributesStart), dropped, schemaUrl));
        var spans = Array(scopeSpans, "spans", "spans", out var arrayError);
        if (arrayError is not null)
        {
            return arrayError;
        }

        for (var i = 0; i < spans.Length; i++)
        {
            var error = Prefix($"spans[{i}].", DecodeSpan(spans[i], resourceIndex, scopeIndex, batch, ref state));
            if (error is not null)
            {
                return error;
            }
        }

        return null;
    }

    private static string? DecodeSpan(JsonElement json, int resourceIndex, int scopeIndex, SpanBatch batch, ref State state)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            return "must be an object";
        }

        var mark = batch.Mark();
        string? rejection = null;
        // Every reader runs (each assigns its out value); the first error wins.
        string?[] errors =
        [
            String(json, "traceId", "trace_id", out var traceIdHex),
            String(json, "spanId", "span_id", out var spanIdHex),
            String(json, "parentSpanId", "parent_span_id", out var parentHex),
            String(json, "traceState", "trace_state", out var traceState),
            String(json, "name", "name", out var name),
            UInt32(json, "flags", "flags", out var flags),
            Enum(json, "kind", "kind", "SPAN_KIND_", ["UNSPECIFIED", "INTERNAL", "SERVER", "CLIENT", "PRODUCER", "CONSUMER"], out var kind),
            UInt64(json, "startTimeUnixNano", "start_time_unix_nano", out var start),
            UInt64(json, "endTimeUnixNano", "end_time_unix_nano", out var end),
            UInt32(json, "droppedAttributesCount", "dropped_attributes_count", out var droppedAttributes),
            UInt32(json, "droppedEventsCount", "dropped_events_count", out var droppedEvents),
            UInt32(json, "droppedLinksCount", "dropped_links_count", out var droppedLinks),
        ];
        var error = First(errors) ?? AddAttributes(json, "attributes", batch);
        if (error is not null)
        {
            return Fail(batch, mark, error);
        }

        var span = new SpanRecord
        {
            ResourceIndex = resourceIndex,
            ScopeIndex = scopeIndex,
            TraceState = traceState,
            Name = name,
            Flags = flags,
            Kind = kind,
            StartTimeUnixNano = start,
            EndTimeUnixNano = end,
            Attributes = new AttributeRange(mark.Attributes, batch.AttributeCount - mark.Attributes),
            StatusMessage = string.Empty,
        };
        rejection = First(
        [
            TraceId(traceIdHex, "traceId", out var high, out var low),
            SpanId(spanIdHex, "spanId", allowEmpty: false, out var spanId),
            SpanId(parentHex, "parentSpanId", allowEmpty: true, out var parentId),
        ]);
        (span.TraceIdHigh, span.TraceIdLow, span.SpanId, span.ParentSpanId) = (high, low, spanId, parentId);
        error = DecodeStatus(json, ref span);
        (span.DroppedAttributesCount, span.DroppedEventsCount, span.DroppedLinksCount) = (droppedAttributes, droppedEvents, droppedLinks);

        span.EventStart = batch.EventCount;
        var events = error is null ? Array(json, "events", "events", out error) : [];
        for (var i = 0; error is null && i < events.Length; i++)
        {
            error = Prefix($"events[{i}].", DecodeEvent(events[i], batch));
        }

        span.LinkStart = batch.LinkCount;
        var links = error is null ? Array(json, "links", "links", out error) : [];
        for (var i = 0; error is null && i < links.Length; i++)
        {
            error = Prefix($"links[{i}].", DecodeLink(links[i], batch, ref rejection));
        }

        if (error is not null)
        {
            return Fail(batch, mark, error);
        }

        span.EventCount = batch.EventCount - span.EventStart;
        span.LinkCount = batch.LinkCount - span.LinkStart;
        if (rejection is not null)
        {
            batch.Truncate(mark);
            state.Rejected++;
            state.FirstRejection ??= $"span {state.Accepted + state.Rejected - 1}: {rejection}";
            return null;
        }

        batch.AddSpan(span);
        state.Accepted++;
        return null;
    }

    private static string? DecodeStatus(JsonElement span, ref SpanRecord record)
    {
        if (!Property(span, "status", "status", out var status) || status.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (status.ValueKind != JsonValueKind.Object)
        {
            return "status must be an object";
        }

        var error = First(
        [
            String(status, "message", "message", out var message),
            Enum(status, "code", "code", "STATUS_CODE_", ["UNSET", "OK", "ERROR"], out var code),
        ]);
        record.StatusMessage = message;
        record.StatusCode = code is >= 0 and <= 2 ? code : 0;
        return error is null ? null : "status." + error;
    }

    private static string? DecodeEvent(JsonElement json, SpanBatch batch)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            return "must be an object";
        }

        var attributesStart = batch.AttributeCount;
        var error = First(
        [
            UInt64(json, "timeUnixNano", "time_unix_nano", out var time),
            String(json, "name", "name", out var name),
            UInt32(json, "droppedAttributesCount", "dropped_attributes_count", out var dropped),
        ]) ?? AddAttributes(json, "attributes", batch);
        if (error is null)
        {
            batch.AddEvent(new EventRecord(time, name, new AttributeRange(attributesStart, batch.AttributeCount - attributesStart), dropped));
        }

        return error;
    }

    private static string? DecodeLink(JsonElement json, SpanBatch batch, ref string? rejection)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            return "must be an object";
        }

        var attributesStart = batch.AttributeCount;
        var error = First(
        [
            String(json, "traceId", "trace_id", out var traceIdHex),
            String(json, "spanId", "span_id", out var spanIdHex),
            String(json, "traceState", "trace_state", out var traceState),
            UInt32(json, "droppedAttributesCount", "dropped_attributes_count", out var dropped),
            UInt32(json, "flags", "flags", out var flags),
        ]) ?? AddAttributes(json, "attributes", batch);
        if (error is not null)
        {
            return error;
        }

        var linkRejection = First([TraceId(traceIdHex, "link traceId", out var high, out var low), SpanId(spanIdHex, "link spanId", allowEmpty: false, out var spanId)]);
        rejection ??= linkRejection;
        batch.AddLink(new LinkRecord(high, low, spanId, traceState, flags, new AttributeRange(attributesStart, batch.AttributeCount - attributesStart), dropped));
        return null;
    }

    private static string? AddAttributes(JsonElement owner, string name, SpanBatch batch)
    {
        var attributes = Array(owner, name, name, out var error);
        for (var i = 0; error is null && i < attributes.Length; i++)
        {
            var keyValue = attributes[i];
            if (keyValue.ValueKind != JsonValueKind.Object)
            {
                return $"{name}[{i}] must be an object";
            }

            error = String(keyValue, "key", "key", out var key);
            if (error is null)
            {
                var type = AttributeValueType.Empty;
                var text = string.Empty;
                if (Property(keyValue, "value", "value", out var value) && value.ValueKind != JsonValueKind.Null)
                {
                    error = AnyValueJson.TryCanonicalize(value, out type, out text);
                }

                if (error is null)
                {
                    batch.AddAttribute(new AttributeRecord(key, type, text));
                }
            }

            error = Prefix($"{name}[{i}].", error);
        }

        return error;
    }
}
