using TaskLens.Core.Alerts;
using TaskLens.Core.Alerts.Intake;
using TaskLens.Core.Incidents;

namespace TaskLens.UnitTests.Alerts;

/// <summary>Bounds on what alert senders choose: sizes, alerts held per tenant, words and open incidents.</summary>
public sealed class AlertLimitsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 1, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Plan_PastTheTenantCap_ForgetsResolvedAlertsOldestFirst()
    {
        var book = new AlertBook(maxAlertsPerTenant: 10);
        book.Apply([.. Enumerable.Range(0, 10).Select(i => Fire("old" + i, minute: i))]);
        book.Apply([Resolve("old3", 20), Resolve("old1", 21), Resolve("old7", 22)]);

        var changes = book.Apply([Fire("new1", 30), Fire("new2", 31)]);

        Assert.Equal([AlertChange.Opened, AlertChange.Opened], changes.Select(c => c.Change));
        Assert.True(book.CountOf("acme") <= 10);
        Assert.Null(book.Find("acme", "events", "old3")); // resolved first, so forgotten first
        Assert.NotNull(book.Find("acme", "events", "old0")); // firing: never forgotten
        Assert.True(book.Forgotten >= 2);
    }

    [Fact]
    public void Plan_TenantFullOfFiringAlerts_RefusesNewOnesWith429_AndCountsThem_OtherTenantsUnaffected()
    {
        var book = new AlertBook(maxAlertsPerTenant: 10);
        book.Apply([.. Enumerable.Range(0, 10).Select(i => Fire("f" + i, i))]);

        var refused = Assert.Throws<AlertRefusedException>(() => book.Plan([Fire("f3", 20), Fire("g1", 20), Fire("g2", 20)]));
        var repeat = book.Apply([Fire("f3", 21)]);
        var other = book.Apply([Fire("g1", 22) with { Tenant = "other" }]);

        Assert.Equal(429, refused.Status);
        Assert.Equal((2L, 10), (book.Refused, book.CountOf("acme")));
        Assert.Equal(AlertChange.Repeated, repeat[0].Change); // alerts already held still update
        Assert.Equal(AlertChange.Opened, other[0].Change);
    }

    [Fact]
    public void Restore_MoreThanTheCapFromStorage_KeepsFiringOnes_AndForgetsResolvedOnes()
    {
        var loader = new AlertBook();
        var states = loader.Apply([.. Enumerable.Range(0, 15).Select(i => Fire("s" + i, i))]).Select(r => r.State).ToList();
        states.AddRange(loader.Apply([.. Enumerable.Range(0, 10).Select(i => Resolve("s" + i, 20 + i))]).Select(r => r.State));
        var book = new AlertBook(maxAlertsPerTenant: 10);

        book.Restore(states);

        Assert.Equal(10, book.CountOf("acme"));
        Assert.All(Enumerable.Range(10, 5), i => Assert.NotNull(book.Find("acme", "events", "s" + i)));
    }

    [Theory]
    [InlineData("https://grafana.example/d/abc?x=1", "https://grafana.example/d/abc?x=1")]
    [InlineData("http://alertmanager:9093/#/alerts", "http://alertmanager:9093/#/alerts")]
    [InlineData("javascript:alert(document.cookie)", "")]
    [InlineData("JavaScript:alert(1)", "")]
    [InlineData("data:text/html,<script>alert(1)</script>", "")]
    [InlineData("file:///etc/passwd", "")]
    [InlineData("/relative/path", "")]
    [InlineData("", "")]
    public void SafeUrl_KeepsOnlyAbsoluteHttpAndHttps(string url, string expected) => Assert.Equal(expected, AlertLimits.SafeUrl(url));

    [Fact]
    public void Problem_NamesTheBoundAnEventIsPast()
    {
        var limits = new AlertLimits();

        Assert.Null(limits.Problem(Fire("ok", 0)));
        Assert.Contains("fingerprint", limits.Problem(Fire(new string('f', 257), 0)), StringComparison.Ordinal);
        Assert.Contains("labels", limits.Problem(Fire("l", 0) with { Labels = Enumerable.Range(0, 65).ToDictionary(i => "k" + i, i => "v") }), StringComparison.Ordinal);
        Assert.Contains("label names", limits.Problem(Fire("v", 0) with { Labels = new Dictionary<string, string> { ["k"] = new string('v', 2_049) } }), StringComparison.Ordinal);
        Assert.Contains("title", limits.Problem(Fire("t", 0) with { Title = new string('t', 1_025) }), StringComparison.Ordinal);
    }

    [Fact]
    public void TextVectors_LearnsAtMostMaxWords_AndDropsOverlongWords()
    {
        var text = new TextVectors(maxWords: 100);
        for (var i = 0; i < 1_000; i++)
        {
            text.Learn(TextVectors.Words($"random{i:x}word unique{i}"));
        }

        Assert.Equal(100, text.WordCount);
        Assert.True(text.WordsNotLearnt > 0);
        Assert.Empty(TextVectors.Words(new string('x', TextVectors.MaxWordLength + 1)));
    }

    [Fact]
    public void IncidentBoard_AtMaxOpenIncidents_OpensNoMore_AndCountsTheAlerts()
    {
        var book = new AlertBook();
        var board = new IncidentBoard(new AlertCorrelator.Settings(MaxOpenIncidents: 3));
        var events = Enumerable.Range(0, 10).Select(i => Fire("x" + i, 0) with { Title = $"Unrelated{i:x}Trouble{i}", Labels = new Dictionary<string, string> { ["service"] = "svc" + i } }).ToList();
        var write = new IncidentWrite();

        board.TakeAlerts(events, book.Apply(events), T0, write);

        Assert.Equal(3, write.States.Select(s => s.Id).Distinct().Count());
        Assert.Equal(7, board.AlertsNotFolded);
    }

    private static AlertEvent Fire(string key, int minute) => new()
    {
        Tenant = "acme",
        Source = "events",
        Fingerprint = key,
        Action = AlertAction.Trigger,
        Title = "Trouble",
        Severity = AlertSeverity.Critical,
        ReceivedAt = T0.AddMinutes(minute),
    };

    private static AlertEvent Resolve(string key, int minute) => new()
    {
        Tenant = "acme", Source = "events", Fingerprint = key, Action = AlertAction.Resolve, Title = "", ReceivedAt = T0.AddMinutes(minute),
    };
}
