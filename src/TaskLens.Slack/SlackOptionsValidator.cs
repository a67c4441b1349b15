using Microsoft.Extensions.Options;

namespace TaskLens.Slack;

/// <summary>Fails start-up listing every Slack configuration error at once (never echoing a secret).</summary>
internal sealed class SlackOptionsValidator : IValidateOptions<SlackOptions>
{
    public ValidateOptionsResult Validate(string? name, SlackOptions options)
    {
        var errors = Errors(options).Select(e => $"{SlackOptions.SectionName}: {e}").ToList();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    internal static IEnumerable<string> Errors(SlackOptions o)
    {
        if (o.BotToken.Length > 0 && !o.BotToken.StartsWith("xoxb-", StringComparison.Ordinal))
        {
            yield return "BotToken must be a bot token (xoxb-…).";
        }

        if (o.UsesWebApi && o.SigningSecret.Length == 0)
        {
            yield return "SigningSecret is required with a BotToken: buttons and the slash command are refused unless signed.";
        }

        if (o.UsesWebApi && o.Channel.Length == 0 && (o.Routes.Count == 0 || o.Routes[^1] is not { Tenant: "", Goal: "", Service: "", MinSeverity: null }))
        {
            yield return "Channel is required unless the last route matches every incident.";
        }

        if (o.WebhookUrl.Length > 0 && (!Uri.TryCreate(o.WebhookUrl, UriKind.Absolute, out var hook) || hook.Scheme is not ("https" or "http")))
        {
            yield return "WebhookUrl must be an absolute http(s) URL.";
        }

        if (!o.ApiUrl.IsAbsoluteUri || o.ApiUrl.Scheme is not ("https" or "http"))
        {
            yield return "ApiUrl must be an absolute http(s) URL.";
        }

        if (!o.DashboardUrl.IsAbsoluteUri)
        {
            yield return "DashboardUrl must be an absolute URL.";
        }

        if (o.Tenant.Length == 0)
        {
            yield return "Tenant must name a tenant.";
        }

        for (var i = 0; i < o.Routes.Count; i++)
        {
            if (o.Routes[i].Channel.Length == 0)
            {
                yield return $"Routes:{i}:Channel is required.";
            }
        }

        for (var i = 0; i < o.Users.Count; i++)
        {
            if (!SlackUsers.IsSlackUserId(o.Users[i].SlackUserId))
            {
                yield return $"Users:{i}:SlackUserId must be a Slack user id (U… or W…).";
            }

            if (!SlackUsers.IsUserName(o.Users[i].User))
            {
                yield return $"Users:{i}:User must be a TaskLens user name (1-200 characters, no control characters).";
            }
        }

        if (o.CoalesceInterval < TimeSpan.Zero || o.CoalesceInterval > TimeSpan.FromMinutes(10))
        {
            yield return "CoalesceInterval must be between 0 and 10 minutes.";
        }

        if (o.ChannelInterval < TimeSpan.Zero || o.ChannelInterval > TimeSpan.FromMinutes(1))
        {
            yield return "ChannelInterval must be between 0 and 1 minute.";
        }

        if (o.MaxRetries is < 0 or > 10)
        {
            yield return "MaxRetries must be between 0 and 10.";
        }

        if (o.RequestTimeout <= TimeSpan.Zero || o.RequestTimeout > TimeSpan.FromMinutes(10))
        {
            yield return "RequestTimeout must be between 0 and 10 minutes.";
        }
    }
}
