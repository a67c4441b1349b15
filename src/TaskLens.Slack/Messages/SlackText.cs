using System.Text;

namespace TaskLens.Slack.Messages;

/// <summary>
/// Text as Slack shows it: user and alert text is escaped, so it never becomes markup, a link or a mention
/// (<c>&lt;!channel&gt;</c>, <c>&lt;@U…&gt;</c>); only TaskLens writes those. Long text is cut to Slack's limits with a link
/// to the rest.
/// </summary>
/// <remarks>https://api.slack.com/reference/surfaces/formatting#escaping: only <c>&amp;</c>, <c>&lt;</c> and <c>&gt;</c> are
/// control characters; messages are sent without <c>link_names</c>, so a bare "@channel" stays plain text.</remarks>
internal static class SlackText
{
    /// <summary>Escapes user or alert text for mrkdwn and plain_text alike.</summary>
    public static string Escape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.AsSpan().IndexOfAny('&', '<', '>') < 0)
        {
            return text;
        }

        var escaped = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            escaped.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                _ => c.ToString(),
            });
        }

        return escaped.ToString();
    }

    /// <summary>A link TaskLens makes: <c>&lt;url|label&gt;</c>, the label escaped.</summary>
    public static string Link(Uri url, string label)
    {
        ArgumentNullException.ThrowIfNull(url);
        return "<" + url.AbsoluteUri.Replace("|", "%7C", StringComparison.Ordinal).Replace(">", "%3E", StringComparison.Ordinal) + "|" + Escape(label) + ">";
    }

    /// <summary>
    /// Cuts escaped mrkdwn to at most <paramref name="max"/> characters, ending with <paramref name="more"/> (a link to the
    /// rest) when it had to cut; never inside an escape (<c>&amp;amp;</c>), a link or mention TaskLens wrote, or a surrogate pair.
    /// </summary>
    public static string Truncate(string mrkdwn, int max, string more)
    {
        ArgumentNullException.ThrowIfNull(mrkdwn);
        ArgumentNullException.ThrowIfNull(more);
        if (mrkdwn.Length <= max)
        {
            return mrkdwn;
        }

        var suffix = "… " + more;
        var cut = Math.Max(0, max - suffix.Length);
        cut = SafeCut(mrkdwn, cut);
        return string.Concat(mrkdwn.AsSpan(0, cut), suffix);
    }

    /// <summary>Plain text cut to <paramref name="max"/> characters with an ellipsis (headers hold no links).</summary>
    public static string TruncatePlain(string escaped, int max)
    {
        ArgumentNullException.ThrowIfNull(escaped);
        return escaped.Length <= max ? escaped : string.Concat(escaped.AsSpan(0, SafeCut(escaped, max - 1)), "…");
    }

    /// <summary>The largest cut at or before <paramref name="cut"/> that splits no escape, link or surrogate pair.</summary>
    private static int SafeCut(string text, int cut)
    {
        if (cut > 0 && cut < text.Length && char.IsLowSurrogate(text[cut]))
        {
            cut--;
        }

        var open = text.LastIndexOf('<', Math.Max(0, cut - 1));
        if (open >= 0 && cut > 0 && text.IndexOf('>', open) is var close && (close < 0 || close >= cut))
        {
            cut = open;
        }

        var amp = cut > 0 ? text.LastIndexOf('&', cut - 1) : -1;
        if (amp >= 0 && cut - amp < 5 && text.IndexOf(';', amp) is var semi && (semi < 0 || semi >= cut))
        {
            cut = amp;
        }

        return cut;
    }
}
