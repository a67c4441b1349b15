using System.Text;

namespace TaskLens.Briefs.Facts;

/// <summary>
/// A Drain-style log template miner (He et al., "Drain: An Online Log Parsing Approach with Fixed Depth Tree", ICWS
/// 2017) with bounded memory. Messages are split into tokens; tokens that look variable (numbers, hex ids, UUIDs,
/// addresses, quoted values) become <c>&lt;*&gt;</c> up front; then a message goes down a fixed-depth tree — its
/// service and kind, its token count, its first token — to a leaf of clusters, joins the most similar cluster when at
/// least <see cref="Similarity"/> of the tokens match (differing positions turn into <c>&lt;*&gt;</c>), else starts
/// one. At most <see cref="MaxClusters"/> clusters are held: past it, the least recently seen small cluster is dropped
/// (its count goes to <see cref="Dropped"/>), so a flood of unique messages cannot grow memory.
/// </summary>
internal sealed class TemplateMiner(int maxClusters = 512, double similarity = 0.5, int maxTokens = 48)
{
    public const string Wildcard = "<*>";

    private readonly Dictionary<(string Service, string Kind, int Length, string First), List<Cluster>> _leaves = [];
    private long _clock;

    public int MaxClusters { get; } = Math.Max(1, maxClusters);

    public double Similarity { get; } = similarity;

    public int Count { get; private set; }

    /// <summary>Messages whose cluster was dropped to keep within <see cref="MaxClusters"/>.</summary>
    public long Dropped { get; private set; }

    /// <summary>Adds <paramref name="count"/> occurrences of one message, seen first and last at the given times.</summary>
    public void Add(string service, string kind, string message, long count, DateTimeOffset firstSeen, DateTimeOffset lastSeen, string sampleTraceId)
    {
        var tokens = Tokenize(message, maxTokens);
        var key = (service, kind, tokens.Length, tokens.Length == 0 ? "" : tokens[0]);
        if (!_leaves.TryGetValue(key, out var leaf))
        {
            _leaves[key] = leaf = [];
        }

        Cluster? best = null;
        var bestScore = -1.0;
        foreach (var cluster in leaf)
        {
            var score = Score(cluster.Tokens, tokens);
            if (score > bestScore)
            {
                (best, bestScore) = (cluster, score);
            }
        }

        _clock++;
        if (best is not null && bestScore >= Similarity)
        {
            for (var i = 0; i < tokens.Length; i++)
            {
                if (!string.Equals(best.Tokens[i], tokens[i], StringComparison.Ordinal))
                {
                    best.Tokens[i] = Wildcard;
                }
            }

            best.Count += count;
            best.FirstSeen = firstSeen < best.FirstSeen ? firstSeen : best.FirstSeen;
            best.LastSeen = lastSeen > best.LastSeen ? lastSeen : best.LastSeen;
            best.Used = _clock;
            if (best.SampleTraceIds.Count < 3 && sampleTraceId.Length > 0 && !best.SampleTraceIds.Contains(sampleTraceId))
            {
                best.SampleTraceIds.Add(sampleTraceId);
            }

            return;
        }

        if (Count >= MaxClusters)
        {
            Evict();
        }

        leaf.Add(new Cluster(service, kind, tokens, count, firstSeen, lastSeen, _clock, sampleTraceId));
        Count++;
    }

    /// <summary>The templates held, most frequent first.</summary>
    public IReadOnlyList<MinedTemplate> Templates() =>
        _leaves.Values.SelectMany(l => l)
            .OrderByDescending(c => c.Count).ThenBy(c => c.FirstSeen).ThenBy(c => c.Service, StringComparer.Ordinal)
            .Select(c => new MinedTemplate(c.Service, c.Kind, string.Join(' ', c.Tokens), c.Count, c.FirstSeen, c.LastSeen, c.SampleTraceIds))
            .ToList();

    /// <summary>The tokens of a message with variable-looking ones masked; at most <paramref name="max"/> (the rest is one wildcard).</summary>
    internal static string[] Tokenize(string message, int max)
    {
        var parts = message.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var length = Math.Min(parts.Length, max);
        var tokens = new string[length];
        for (var i = 0; i < length; i++)
        {
            tokens[i] = i == max - 1 && parts.Length > max ? Wildcard : Mask(parts[i]);
        }

        return tokens;
    }

    /// <summary>Fraction of positions that hold the same token (a wildcard in the template matches nothing).</summary>
    private static double Score(string[] template, string[] tokens)
    {
        if (tokens.Length == 0)
        {
            return 1;
        }

        var same = 0;
        for (var i = 0; i < tokens.Length; i++)
        {
            if (string.Equals(template[i], tokens[i], StringComparison.Ordinal) && !string.Equals(tokens[i], Wildcard, StringComparison.Ordinal))
            {
                same++;
            }
        }

        // Positions already wildcards in both count as agreeing: the template has generalized there.
        var wild = 0;
        for (var i = 0; i < tokens.Length; i++)
        {
            if (string.Equals(template[i], Wildcard, StringComparison.Ordinal))
            {
                wild++;
            }
        }

        return (double)(same + wild) / tokens.Length;
    }

    /// <summary>A token that carries a digit (numbers, ids, addresses, durations) or is quoted is a variable.</summary>
    private static string Mask(string token)
    {
        var trimmed = token.Trim(',', ';', '.', ')', '(', '[', ']', '{', '}');
        if (trimmed.Length == 0)
        {
            return token;
        }

        if (trimmed[0] is '"' or '\'' || trimmed.Any(char.IsAsciiDigit))
        {
            var head = token.Length - token.TrimStart(',', ';', '.', ')', '(', '[', ']', '{', '}').Length;
            var tail = token.Length - token.TrimEnd(',', ';', '.', ')', '(', '[', ']', '{', '}').Length;
            var kept = trimmed.IndexOf('=', StringComparison.Ordinal) is > 0 and var eq && !trimmed[..eq].Any(char.IsAsciiDigit)
                ? trimmed[..(eq + 1)] + Wildcard
                : Wildcard;
            return new StringBuilder().Append(token.AsSpan(0, head)).Append(kept).Append(token.AsSpan(token.Length - tail)).ToString();
        }

        return token;
    }

    private void Evict()
    {
        // The least recently seen of the clusters with the fewest messages: bursts of unique noise go first.
        Cluster? victim = null;
        foreach (var cluster in _leaves.Values.SelectMany(l => l))
        {
            if (victim is null || cluster.Count < victim.Count || (cluster.Count == victim.Count && cluster.Used < victim.Used))
            {
                victim = cluster;
            }
        }

        if (victim is null)
        {
            return;
        }

        var key = (victim.Service, victim.Kind, victim.Tokens.Length, victim.Tokens.Length == 0 ? "" : victim.FirstToken);
        _leaves[key].Remove(victim);
        if (_leaves[key].Count == 0)
        {
            _leaves.Remove(key);
        }

        Count--;
        Dropped += victim.Count;
    }

    private sealed class Cluster(string service, string kind, string[] tokens, long count, DateTimeOffset firstSeen, DateTimeOffset lastSeen, long used, string sample)
    {
        public string Service { get; } = service;
        public string Kind { get; } = kind;
        public string[] Tokens { get; } = tokens;

        /// <summary>The first token as the tree keyed it (it never turns into a wildcard: it is part of the key).</summary>
        public string FirstToken { get; } = tokens.Length == 0 ? "" : tokens[0];
        public long Count { get; set; } = count;
        public DateTimeOffset FirstSeen { get; set; } = firstSeen;
        public DateTimeOffset LastSeen { get; set; } = lastSeen;
        public long Used { get; set; } = used;
        public List<string> SampleTraceIds { get; } = sample.Length > 0 ? [sample] : [];
    }
}
