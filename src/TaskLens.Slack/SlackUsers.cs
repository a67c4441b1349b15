using Microsoft.Extensions.Options;
using TaskLens.Core.Slack;

namespace TaskLens.Slack;

/// <summary>
/// Which TaskLens user a Slack user acts as: the links in configuration (<c>TaskLens:Slack:Users</c>) first, then the
/// stored ones. A Slack user with neither changes nothing and is told how to be linked.
/// </summary>
internal sealed class SlackUsers(IOptions<SlackOptions> options, ISlackStateStore store)
{
    private static readonly System.Buffers.SearchValues<char> IdCharacters = System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");

    private readonly Dictionary<string, string> _configured = options.Value.Users
        .GroupBy(u => u.SlackUserId, StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.Last().User, StringComparer.Ordinal);

    public async Task<string?> UserOfAsync(string slackUserId, CancellationToken cancellationToken) =>
        _configured.TryGetValue(slackUserId, out var user) ? user : await store.FindUserAsync(slackUserId, cancellationToken).ConfigureAwait(false);

    /// <summary>The Slack users that act as <paramref name="user"/>, for mentions TaskLens writes itself.</summary>
    public async Task<IReadOnlyList<string>> SlackUsersOfAsync(string user, CancellationToken cancellationToken)
    {
        var stored = await store.SlackUsersOfAsync(user, cancellationToken).ConfigureAwait(false);
        return _configured.Where(c => c.Value == user).Select(c => c.Key).Concat(stored).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Slack user ids: <c>U…</c> or <c>W…</c> (Enterprise Grid), upper-case letters and digits.</summary>
    public static bool IsSlackUserId(string? id) =>
        id is { Length: >= 3 and <= 32 } && id[0] is 'U' or 'W' && !id.AsSpan(1).ContainsAnyExcept(IdCharacters);

    public static bool IsUserName(string? name) =>
        name is { Length: >= 1 and <= 200 } && name.Trim().Length == name.Length && !name.Any(char.IsControl);
}
