using TaskLens.Core.Traces;

namespace TaskLens.Briefs.Facts;

/// <summary>
/// Where an incident's origin may be, as the call graph learnt from spans shows it: the services its alerts name and
/// the services its goals run in ("service"); what those call, directly or through up to <see cref="MaxDepth"/> hops
/// ("dependency": a failing or slow dependency rarely has an alert of its own); and the other callers of those
/// dependencies and of the services named ("neighbour": a batch job or another tenant loading a shared database). Names in lower case, in that
/// order, so a bound keeps the nearest.
/// </summary>
internal static class OriginCandidates
{
    public const int MaxDepth = 3;

    public static IReadOnlyList<(string Name, string Kind)> Of(IEnumerable<string> named, IEnumerable<string> goalServices, IReadOnlyList<ServiceLink> links)
    {
        ArgumentNullException.ThrowIfNull(links);
        var calls = links.GroupBy(l => l.Caller.ToLowerInvariant(), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(l => l.Callee.ToLowerInvariant()).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(), StringComparer.Ordinal);
        var found = new List<(string, string)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var frontier = new List<string>();
        foreach (var service in named.Concat(goalServices).Select(s => s.ToLowerInvariant()))
        {
            if (seen.Add(service))
            {
                found.Add((service, "service"));
                frontier.Add(service);
            }
        }

        var dependencies = new List<string>();
        for (var depth = 0; depth < MaxDepth && frontier.Count > 0; depth++)
        {
            var next = new List<string>();
            foreach (var callee in frontier.SelectMany(s => calls.GetValueOrDefault(s) ?? []))
            {
                if (seen.Add(callee))
                {
                    found.Add((callee, "dependency"));
                    dependencies.Add(callee);
                    next.Add(callee);
                }
            }

            frontier = next;
        }

        // The other callers of what was found: of its dependencies first (a batch job loading a shared database), then of
        // the services named (a database an alert names is loaded by callers no alert names).
        var all = found.Select(f => f.Item1).ToHashSet(StringComparer.Ordinal);
        foreach (var reached in new[] { dependencies.ToHashSet(StringComparer.Ordinal), all })
        {
            foreach (var caller in calls.Keys.Order(StringComparer.Ordinal))
            {
                if (!seen.Contains(caller) && calls[caller].Any(reached.Contains))
                {
                    seen.Add(caller);
                    found.Add((caller, "neighbour"));
                }
            }
        }

        return found;
    }
}
