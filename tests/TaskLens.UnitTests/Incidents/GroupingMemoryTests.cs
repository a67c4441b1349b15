using TaskLens.Core.Incidents;
using TaskLens.Core.Incidents.Learning;

namespace TaskLens.UnitTests.Incidents;

public sealed class GroupingMemoryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 1, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Decide_KindsPeopleMergedTwice_JoinTheThirdTime_AndKindsSplitTwice_StayApart()
    {
        var memory = new GroupingMemory(new GroupingMemory.Settings());
        var correlator = new AlertCorrelator { Memory = memory };
        var db = Alert(0, "Orders database connections saturated", "orders-db");
        var web = Alert(0, "Storefront page load slow", "storefront");
        Assert.True(correlator.Add(db).Opened);
        Assert.True(correlator.Add(web).Opened); // the rules see nothing shared

        memory.Learn([Decision(1, db, web, together: true, correlator)]);
        Assert.True(Both(new AlertCorrelator { Memory = memory }, db, web).SecondOpened); // once is not yet a habit
        memory.Learn([Decision(2, db, web, together: true, correlator)]);

        var (_, opened, why) = Both(new AlertCorrelator { Memory = memory }, db, web);
        Assert.False(opened);
        Assert.StartsWith("people merged 'storefront page load slow on storefront' with 'orders database connections saturated on orders-db' 2 times", why, StringComparison.Ordinal);

        var errors = Alert(0, "Payments API errors rising", "payments");
        var certificate = Alert(0, "Payments API certificate expiring", "payments");
        Assert.False(Both(new AlertCorrelator { Memory = memory }, errors, certificate).SecondOpened); // same workload: the rules join
        memory.Learn([Decision(3, errors, certificate, together: false, correlator), Decision(4, errors, certificate, together: false, correlator)]);
        Assert.True(Both(new AlertCorrelator { Memory = memory }, errors, certificate).SecondOpened);
    }

    [Fact]
    public void Learn_TheClassifier_IsUsedOnlyWhenItBeatsTheRulesOnTheHeldBackDecisions()
    {
        // People merge pairs with similar words on different workloads (the rules keep them apart) and split pairs with
        // nothing in common on one workload (the rules join them): a habit the rules do not have, the classifier can learn.
        var habit = new GroupingMemory(new GroupingMemory.Settings());
        habit.Learn([.. Enumerable.Range(0, 40).Select(i => Synthetic(i, together: i % 2 == 0, ruleJoins: i % 2 == 1))]);

        Assert.NotNull(habit.Check);
        Assert.True(habit.ModelActive, habit.Check.ToString());
        Assert.True(habit.Check.ModelAccuracy > habit.Check.RuleAccuracy, habit.Check.ToString());
        Assert.True(habit.Probability(Synthetic(99, together: true, ruleJoins: false).Features) > 0.5);

        // When people decide as the rules would have, the classifier cannot beat them and is not used.
        var agree = new GroupingMemory(new GroupingMemory.Settings());
        agree.Learn([.. Enumerable.Range(0, 40).Select(i => Synthetic(i, together: i % 2 == 0, ruleJoins: i % 2 == 0))]);
        Assert.NotNull(agree.Check);
        Assert.Equal(1.0, agree.Check.RuleAccuracy);
        Assert.False(agree.ModelActive);
        Assert.Null(agree.Probability(Synthetic(99, together: true, ruleJoins: true).Features));
    }

    [Fact]
    public void Learn_TooFewDecisions_OrOneOutcomeOnly_TrainsNothing()
    {
        var few = new GroupingMemory(new GroupingMemory.Settings());
        few.Learn([.. Enumerable.Range(0, 10).Select(i => Synthetic(i, together: i % 2 == 0, ruleJoins: false))]);
        var merges = new GroupingMemory(new GroupingMemory.Settings());
        merges.Learn([.. Enumerable.Range(0, 40).Select(i => Synthetic(i, together: true, ruleJoins: false))]);

        Assert.Equal((null, false), (few.Check, few.ModelActive));
        Assert.Equal((null, false), (merges.Check, merges.ModelActive));
        Assert.Equal(40, merges.Decisions);
    }

    [Fact]
    public void AlertKind_IsTheNameAndWorkload_NotTheFingerprint()
    {
        var a = new CorrelationInput("a1", "alertmanager", T0, "KubePodCrashLooping", new Dictionary<string, string>
        {
            ["alertname"] = "KubePodCrashLooping", ["namespace"] = "shop", ["pod"] = "cart-api-5d8f7c9b6d-q2x7k",
        });
        var b = a with { AlertId = "a2", Labels = new Dictionary<string, string> { ["alertname"] = "KubePodCrashLooping", ["namespace"] = "shop", ["pod"] = "cart-api-7f9c8d6b5c-zz9kq" } };

        Assert.Equal("alertmanager|KubePodCrashLooping|shop/cart-api", AlertKind.Of(a));
        Assert.Equal(AlertKind.Of(a), AlertKind.Of(b));
        Assert.Equal("events|checkout error|checkout", AlertKind.Of(Alert(0, "Checkout error rate 7%", "checkout")));
    }

    private static GroupingDecision Decision(int minute, CorrelationInput a, CorrelationInput b, bool together, AlertCorrelator correlator) =>
        new("default", T0.AddMinutes(minute), "ana", AlertKind.Of(a), AlertKind.Of(b), together, correlator.FeaturesOf(a, b));

    /// <summary>A decision on a pair of distinct kinds whose features say "similar words" when <paramref name="together"/>.</summary>
    private static GroupingDecision Synthetic(int i, bool together, bool ruleJoins)
    {
        var text = together ? 0.7 + (i % 5 * 0.05) : 0.05 + (i % 5 * 0.02);
        var features = PairFeatures.Of(together ? 0.1 : 0.3, sameWorkload: ruleJoins, ruleJoins ? 0 : 3, text, TimeSpan.FromMinutes(i % 7), 0, ruleJoins ? 0.9 : 0.1);
        return new GroupingDecision("default", T0.AddMinutes(i), "ana", $"k{i}a", $"k{i}b", together, features);
    }

    /// <summary>Adds two alerts in turn: whether the second opened its own incident, and why it went where it did.</summary>
    private static (bool FirstOpened, bool SecondOpened, string Why) Both(AlertCorrelator correlator, CorrelationInput first, CorrelationInput second)
    {
        var a = correlator.Add(first);
        var b = correlator.Add(second);
        return (a.Opened, b.Opened, b.Why);
    }

    private static CorrelationInput Alert(int minute, string title, string service) =>
        new($"events:{title}", "events", T0.AddMinutes(minute), title, new Dictionary<string, string> { ["service"] = service });
}
