using System.Globalization;

namespace TaskLens.Core.Incidents.Learning;

/// <summary>
/// One tenant's memory of people's merges and splits, and what it makes of them. Two layers:
/// <list type="bullet">
/// <item>the record per pair of alert kinds (<see cref="Past"/>: merges − splits): after <see cref="Settings.Decisive"/>
/// decisions the same way, those kinds are joined (or kept apart) whatever the rules say;</item>
/// <item>an ML.NET classifier over pair features (<see cref="GroupingClassifier"/>), trained on the older part of the
/// history and used only while it decides the newest part (held back, <see cref="Settings.HeldBack"/>) more often right
/// than the rules did.</item>
/// </list>
/// Not thread-safe: the incident writer is its one caller.
/// </summary>
public sealed class GroupingMemory(GroupingMemory.Settings settings)
{
    private readonly List<GroupingDecision> _decisions = [];
    private readonly Dictionary<(string, string), int> _past = [];
    private GroupingClassifier? _model;

    /// <param name="JoinThreshold">The rules' join threshold: a pair whose rule score reaches it counts as "the rules join it".</param>
    /// <param name="Decisive">How many net decisions on a pair of kinds make them join (or stay apart) whatever the rules say.</param>
    /// <param name="MinExamples">Decisions before a classifier is tried (both outcomes among them).</param>
    /// <param name="HeldBack">The newest share of decisions the classifier is checked on, not trained on.</param>
    /// <param name="MaxDecisions">Decisions remembered (the newest).</param>
    public sealed record Settings(double JoinThreshold = 0.7, int Decisive = 2, int MinExamples = 20, double HeldBack = 0.25, int MaxDecisions = 5_000);

    /// <summary>How the classifier fared on the held-back decisions against the rules, or null when none was tried.</summary>
    public GroupingCheck? Check { get; private set; }

    public int Decisions => _decisions.Count;

    /// <summary>Whether the classifier is in use (it beat the rules on the held-back decisions).</summary>
    public bool ModelActive => _model is not null;

    public Settings Options => settings;

    /// <summary>Merges minus splits people made on this pair of kinds.</summary>
    public int Past(string kindA, string kindB) => _past.GetValueOrDefault(AlertKind.Pair(kindA, kindB));

    /// <summary>The classifier's probability that the pair belongs together, when it is in use.</summary>
    public double? Probability(IReadOnlyList<float> features) => _model?.Probability(features);

    /// <summary>Learns decisions (stored ones at start, new ones as people triage) and trains again.</summary>
    public void Learn(IReadOnlyCollection<GroupingDecision> decisions)
    {
        ArgumentNullException.ThrowIfNull(decisions);
        if (decisions.Count == 0)
        {
            return;
        }

        foreach (var decision in decisions)
        {
            _decisions.Add(decision);
            _past[decision.Pair] = _past.GetValueOrDefault(decision.Pair) + (decision.Together ? 1 : -1);
        }

        if (_decisions.Count > settings.MaxDecisions)
        {
            _decisions.Sort((a, b) => a.At.CompareTo(b.At));
            _decisions.RemoveRange(0, _decisions.Count - settings.MaxDecisions);
        }

        Train();
    }

    private void Train()
    {
        _model = null;
        Check = null;
        var ordered = _decisions.OrderBy(d => d.At).ToList();
        var held = Math.Max(1, (int)Math.Round(ordered.Count * settings.HeldBack));
        var train = ordered.Take(ordered.Count - held).ToList();
        var test = ordered.Skip(ordered.Count - held).ToList();
        if (ordered.Count < settings.MinExamples || !train.Exists(d => d.Together) || !train.Exists(d => !d.Together))
        {
            return;
        }

        var model = GroupingClassifier.Train(train);
        var ruleRight = test.Count(d => (d.Features[PairFeatures.RuleScore] >= settings.JoinThreshold) == d.Together);
        var modelRight = test.Count(d => (model.Probability(d.Features) >= 0.5) == d.Together);
        Check = new GroupingCheck(train.Count, test.Count, (double)ruleRight / test.Count, (double)modelRight / test.Count);
        _model = modelRight > ruleRight ? model : null;
    }
}

/// <summary>The classifier's accuracy on the held-back decisions beside the rules'.</summary>
public sealed record GroupingCheck(int Trained, int HeldBack, double RuleAccuracy, double ModelAccuracy)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"trained on {Trained}, checked on {HeldBack}: rules {RuleAccuracy:P0} right, model {ModelAccuracy:P0}");
}
