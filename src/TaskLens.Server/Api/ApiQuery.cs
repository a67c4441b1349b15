using System.Globalization;
using System.Text.Json;
using TaskLens.Ingest.Receivers;

namespace TaskLens.Server.Api;

/// <summary>What every read endpoint parses and answers alike: the time window, limits, problems, streamed JSON.</summary>
internal static class ApiQuery
{
    public static async Task WriteJsonAsync(HttpContext context, Action<Utf8JsonWriter> write, CancellationToken cancellationToken)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        // The default encoder escapes <, >, &, quotes and non-ASCII: stored values are sender-chosen, and an answer read
        // as HTML (a browser sniffing, a careless page) must not carry markup.
        await using var json = new Utf8JsonWriter(context.Response.BodyWriter);
        write(json);
        await json.FlushAsync(cancellationToken);
    }

    public static bool TryWindow(HttpContext context, out DateTimeOffset from, out DateTimeOffset to, out IResult? problem)
    {
        var query = context.Request.Query;
        var now = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        to = now;
        from = now.AddHours(-1);
        problem = null;
        if (!TryTime(query["to"], ref to) || !TryTime(query["from"], ref from))
        {
            problem = BadRequest("Invalid time", "from and to are RFC 3339 times (2026-11-25T10:00:00Z) or unix milliseconds.");
            return false;
        }

        if (from > to)
        {
            problem = BadRequest("Invalid window", "from must not be after to.");
            return false;
        }

        var cap = context.RequestServices.GetRequiredService<ServerOptions>().MaxReadWindow;
        if (to - from > cap)
        {
            problem = BadRequest("Window too wide", $"At most {Describe(cap)} between from and to ({ServerOptions.SectionName}:MaxReadWindow); narrow the window.");
            return false;
        }

        return true;
    }

    private static string Describe(TimeSpan span) =>
        span.TotalDays >= 1 && span.Ticks % TimeSpan.TicksPerDay == 0 ? string.Create(CultureInfo.InvariantCulture, $"{span.TotalDays:0} days")
        : span.Ticks % TimeSpan.TicksPerHour == 0 ? string.Create(CultureInfo.InvariantCulture, $"{span.TotalHours:0} hours")
        : span.ToString("c", CultureInfo.InvariantCulture);

    public static bool TryTime(string? text, ref DateTimeOffset value)
    {
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var ms))
        {
            value = DateTimeOffset.FromUnixTimeMilliseconds(Math.Min(ms, 253402300799999));
            return true;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value);
    }

    public static bool TryLimit(string? text, int fallback, int max, out int limit, ref IResult? problem)
    {
        limit = fallback;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out limit) && limit >= 1 && limit <= max)
        {
            return true;
        }

        problem = BadRequest("Invalid limit", $"limit is a whole number from 1 to {max}.");
        return false;
    }

    /// <summary>
    /// An optional enum query value by name, case-insensitive (numbers are refused: they are not part of the API);
    /// empty is null. A bad value is a 400 titled "Invalid {name}".
    /// </summary>
    public static bool TryEnum<T>(string? text, string name, string detail, out T? value, ref IResult? problem)
        where T : struct, Enum
    {
        value = null;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        if (char.IsDigit(text[0]) || !Enum.TryParse<T>(text, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed))
        {
            problem = BadRequest("Invalid " + name, detail);
            return false;
        }

        value = parsed;
        return true;
    }

    /// <summary>
    /// A JSON request body, read whole up to <paramref name="maxBytes"/> with the OTLP receivers' capped reader; or why
    /// not: 415 (not <c>application/json</c>), 413 (too large), 400 (not JSON). Dispose the document.
    /// </summary>
    public static async Task<(JsonDocument? Json, (int Status, string Title, string Detail)? Refusal)> ReadJsonAsync(HttpContext context, int maxBytes)
    {
        var mediaType = context.Request.ContentType?.Split(';')[0].Trim();
        if (!string.Equals(mediaType, "application/json", StringComparison.OrdinalIgnoreCase))
        {
            return (null, (StatusCodes.Status415UnsupportedMediaType, "Unsupported content type", "Send application/json."));
        }

        using var body = await RequestBody.ReadAsync(context.Request.BodyReader, maxBytes, context.Request.ContentLength, context.RequestAborted);
        if (body is null)
        {
            return (null, (StatusCodes.Status413PayloadTooLarge, "Payload too large", $"The body is limited to {maxBytes} bytes."));
        }

        try
        {
            // The document is parsed from a copy: the pooled body goes back to the pool when this returns.
            return (JsonDocument.Parse(body.Memory.ToArray()), null);
        }
        catch (JsonException e)
        {
            return (null, (StatusCodes.Status400BadRequest, "Invalid JSON", e.Message));
        }
    }

    public static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;

    public static IResult BadRequest(string title, string detail) =>
        Results.Problem(title: title, detail: detail, statusCode: StatusCodes.Status400BadRequest);

    /// <summary>
    /// A series step of whole minutes — <c>60</c> (seconds), <c>60s</c>, <c>5m</c>, <c>1h</c>; default one minute — and
    /// at most 1,440 steps in [<paramref name="from"/>, <paramref name="to"/>].
    /// </summary>
    public static bool TryStep(string? text, DateTimeOffset from, DateTimeOffset to, out TimeSpan step, out IResult? problem)
    {
        problem = null;
        if (!TryParseStep(text, out step))
        {
            problem = BadRequest("Invalid step", "step is a whole number of minutes, written 60 (seconds), 60s, 5m or 1h; at most 1,440 steps per window.");
            return false;
        }

        if ((to - from).TotalMinutes / step.TotalMinutes > 1_440)
        {
            problem = BadRequest("Invalid step", "At most 1,440 steps per window: widen step or narrow from and to.");
            return false;
        }

        return true;
    }

    private static bool TryParseStep(string? text, out TimeSpan step)
    {
        step = TimeSpan.FromMinutes(1);
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        var unit = char.IsDigit(text[^1]) ? 's' : text[^1];
        var digits = char.IsDigit(text[^1]) ? text : text[..^1];
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n <= 0 || n > 100_000)
        {
            return false;
        }

        var seconds = unit switch { 's' => n, 'm' => n * 60, 'h' => n * 3600, _ => -1 };
        step = TimeSpan.FromSeconds(Math.Max(seconds, 0));
        return seconds > 0 && seconds % 60 == 0;
    }

    public static bool TryOffset(string? text, out int offset, ref IResult? problem)
    {
        offset = 0;
        if (string.IsNullOrEmpty(text) || (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out offset) && offset <= 1_000_000))
        {
            return true;
        }

        problem = ApiQuery.BadRequest("Invalid offset", "offset is a whole number from 0 to 1,000,000.");
        return false;
    }
}
