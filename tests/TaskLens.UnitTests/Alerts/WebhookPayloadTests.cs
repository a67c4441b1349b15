using System.Text.Json;
using TaskLens.Core.Alerts;
using TaskLens.Core.Alerts.Intake;
using TaskLens.Server.AlertIntake;

namespace TaskLens.UnitTests.Alerts;

public sealed class WebhookPayloadTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 2, 0, 0, TimeSpan.Zero);

    [Fact]
    public void TryRead_AlertmanagerV4_EveryAlertWithItsFingerprintTitleAndSeverity()
    {
        using var json = JsonDocument.Parse("""
            {"version":"4","groupKey":"{}:{alertname=\"CheckoutErrors\"}","truncatedAlerts":0,"status":"firing","receiver":"tasklens",
             "groupLabels":{"alertname":"CheckoutErrors"},"commonLabels":{},"commonAnnotations":{},"externalURL":"http://am:9093",
             "alerts":[
               {"status":"firing","labels":{"alertname":"CheckoutErrors","severity":"critical","service":"checkout"},
                "annotations":{"summary":"Checkout errors above 5%","description":"7.2% over 5m"},
                "startsAt":"2026-11-26T01:58:00Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://prom/graph","fingerprint":"a1b2c3d4e5f60718"},
               {"status":"resolved","labels":{"alertname":"DiskFull"},"annotations":{},"startsAt":"2026-11-26T01:00:00Z"}]}
            """);

        Assert.True(WebhookPayload.TryRead(json.RootElement, "alertmanager", "default", Now, out var events, out var problem), problem);

        Assert.Equal(2, events.Count);
        var (first, second) = (events[0], events[1]);
        Assert.Equal(("a1b2c3d4e5f60718", AlertAction.Trigger, "Checkout errors above 5%", "7.2% over 5m", AlertSeverity.Critical, "http://prom/graph"),
            (first.Fingerprint, first.Action, first.Title, first.Message, first.Severity, first.Url));
        Assert.Equal(new DateTimeOffset(2026, 11, 26, 1, 58, 0, TimeSpan.Zero), first.StartsAt);
        Assert.Equal((AlertAction.Resolve, "DiskFull", AlertSeverity.Warning), (second.Action, second.Title, second.Severity));
        Assert.Equal(WebhookPayload.LabelFingerprint(new Dictionary<string, string> { ["alertname"] = "DiskFull" }), second.Fingerprint);
    }

    [Fact]
    public void TryRead_RunbookAnnotation_RidesAsALabel_WithoutChangingTheFingerprint()
    {
        using var json = JsonDocument.Parse("""
            {"version":"4","status":"firing","alerts":[
               {"status":"firing","labels":{"alertname":"DbDown","service":"payments-db"},
                "annotations":{"summary":"DB down","runbook_url":"https://runbooks.example.com/db"},"startsAt":"2026-11-26T01:58:00Z"}]}
            """);

        Assert.True(WebhookPayload.TryRead(json.RootElement, "alertmanager", "default", Now, out var events, out var problem), problem);

        var e = Assert.Single(events);
        Assert.Equal("https://runbooks.example.com/db", e.Labels["runbook_url"]);
        Assert.Equal(WebhookPayload.LabelFingerprint(new Dictionary<string, string> { ["alertname"] = "DbDown", ["service"] = "payments-db" }), e.Fingerprint);
    }

    [Fact]
    public void TryRead_GrafanaWebhook_TakesItsPanelUrl_AndNeedsNoVersion4()
    {
        using var json = JsonDocument.Parse("""
            {"receiver":"tasklens","status":"firing","orgId":1,"version":"1","title":"[FIRING:1] HighLatency","state":"alerting","message":"…",
             "alerts":[{"status":"firing","labels":{"alertname":"HighLatency","grafana_folder":"agents"},"annotations":{"summary":"p95 above 2 s"},
                        "startsAt":"2026-11-26T01:50:00Z","values":{"B":2.4},"valueString":"[ var='B' value=2.4 ]","fingerprint":"9f1c2a","silenceURL":"http://g/s",
                        "dashboardURL":"http://g/d/abc","panelURL":"http://g/d/abc?viewPanel=2"}]}
            """);

        Assert.True(WebhookPayload.TryRead(json.RootElement, "grafana", "default", Now, out var events, out var problem), problem);

        var alert = Assert.Single(events);
        Assert.Equal(("9f1c2a", "p95 above 2 s", "http://g/d/abc?viewPanel=2", "grafana"), (alert.Fingerprint, alert.Title, alert.Url, alert.Source));
    }

    [Theory]
    [InlineData("[]", "the body is not a JSON object")]
    [InlineData("""{"version":"3","alerts":[]}""", "version must be \"4\"")]
    [InlineData("""{"version":"4"}""", "alerts must be an array")]
    [InlineData("""{"version":"4","alerts":[{"status":"pending","labels":{"a":"b"}}]}""", "alerts[0]: status must be \"firing\" or \"resolved\"")]
    [InlineData("""{"version":"4","alerts":[{"status":"firing","labels":{}}]}""", "alerts[0]: labels must name the alert")]
    [InlineData("""{"version":"4","alerts":[{"status":"firing","labels":{"a":1}}]}""", "alerts[0]: labels.a must be a string")]
    [InlineData("""{"version":"4","alerts":[{"status":"firing","labels":{"a":"b"},"startsAt":"yesterday"}]}""", "alerts[0]: startsAt is not an RFC 3339 time")]
    public void TryRead_Invalid_SaysWhatIsWrong(string body, string expected)
    {
        using var json = JsonDocument.Parse(body);

        Assert.False(WebhookPayload.TryRead(json.RootElement, "alertmanager", "default", Now, out _, out var problem));
        Assert.StartsWith(expected, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void EventsTryRead_ListsEveryProblem()
    {
        using var json = JsonDocument.Parse("""{"event_action":"resolve","payload":{"summary":"","severity":"fatal"}}""");

        Assert.False(EventsPayload.TryRead(json.RootElement, Now, out _, out _, out var errors));

        Assert.Equal(["'routing_key' is missing or blank.", "'dedup_key' is required to acknowledge or resolve."], errors);
    }

    [Fact]
    public void EventsTryRead_TriggerWithoutDedupKey_GetsOneFromSummaryAndSource()
    {
        using var json = JsonDocument.Parse("""{"routing_key":"k","event_action":"trigger","payload":{"summary":"Queue depth 12k","source":"worker-7","severity":"warning","component":"queue"}}""");

        Assert.True(EventsPayload.TryRead(json.RootElement, Now, out var key, out var build, out var errors), string.Join(" ", errors));

        var e = build!("default");
        Assert.Equal(("k", "Queue depth 12k", AlertSeverity.Warning, "queue"), (key, e.Title, e.Severity, e.Labels["component"]));
        Assert.Equal(WebhookPayload.LabelFingerprint(new Dictionary<string, string> { ["summary"] = "Queue depth 12k", ["source"] = "worker-7" }), e.Fingerprint);
    }
}
