using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace TaskLens.Slack.Interactivity;

/// <summary>
/// Reads a request from Slack and checks its signature before anything else looks at it; only then is the form parsed.
/// </summary>
internal sealed class SlackRequest(IOptions<SlackOptions> options, SlackReplayGuard replays, TimeProvider time, ILogger<SlackRequest> logger)
{
    /// <summary>Slack's interaction payloads carry the whole message (up to 50 blocks of 3,000 characters).</summary>
    private const int MaxBodyBytes = 1024 * 1024;

    /// <summary>The form fields of a verified request, or the refusal to answer.</summary>
    public async Task<(Dictionary<string, StringValues>? Form, IResult? Refusal)> ReadAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var path = context.Request.Path.Value ?? "";
        if (context.Request.ContentLength > MaxBodyBytes)
        {
            return (null, Refuse(path, "body too large", StatusCodes.Status413PayloadTooLarge));
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return (null, Refuse(path, "body too large", StatusCodes.Status413PayloadTooLarge));
            }

            buffer.Write(chunk, 0, read);
        }

        var signature = context.Request.Headers["X-Slack-Signature"].ToString();
        var check = SlackSignature.Verify(options.Value.SigningSecret, context.Request.Headers["X-Slack-Request-Timestamp"], signature,
            buffer.GetBuffer().AsSpan(0, (int)buffer.Length), time.GetUtcNow());
        if (check != SignatureCheck.Valid)
        {
            return (null, Refuse(path, check.ToString().ToLowerInvariant() + " signature", StatusCodes.Status401Unauthorized));
        }

        if (!replays.FirstTime(signature))
        {
            return (null, Refuse(path, "replayed signature", StatusCodes.Status401Unauthorized));
        }

        buffer.Position = 0;
        using var reader = new FormReader(buffer);
        var form = await reader.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        return (form, null);
    }

    private IResult Refuse(string path, string reason, int status)
    {
        SlackLog.RequestRefused(logger, path, reason);
        return Results.Text("Refused: " + reason + ".", statusCode: status);
    }
}
