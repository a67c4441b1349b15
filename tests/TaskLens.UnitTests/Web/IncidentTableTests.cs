using Bunit;
using Microsoft.AspNetCore.Components.Web;
using TaskLens.Core.Alerts;
using TaskLens.Core.Incidents;
using TaskLens.Web.Components.Widgets;

namespace TaskLens.UnitTests.Web;

public sealed class IncidentTableTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);
    private readonly DashboardTestContext _context = new();

    internal static Incident Incident(int number, IncidentStatus status, AlertSeverity severity, int minutesAgo, string assignee = "") => new()
    {
        Tenant = "default",
        Id = $"inc-{number}",
        Title = $"incident {number}",
        Status = status,
        Severity = severity,
        Assignee = assignee,
        Alerts = 3,
        FiringAlerts = 2,
        OpenedAt = Now.AddHours(-1),
        UpdatedAt = Now.AddMinutes(-minutesAgo),
        Version = 4,
    };

    [Fact]
    public void IncidentTable_ThreeIncidents_ListsThemNewestChangeFirstWithLinksAndStates()
    {
        var table = _context.Render<IncidentTable>(p => p.Add(c => c.Incidents, new[]
        {
            Incident(1, IncidentStatus.Resolved, AlertSeverity.Warning, 30),
            Incident(2, IncidentStatus.Triggered, AlertSeverity.Critical, 1, "ana"),
            Incident(3, IncidentStatus.Acknowledged, AlertSeverity.Info, 10),
        }));

        var rows = table.FindAll("tr.incident-row");
        Assert.Equal(["inc-2", "inc-3", "inc-1"], rows.Select(r => r.QuerySelector(".incident-id")!.TextContent.Trim()));
        Assert.Equal("incidents/inc-2", rows[0].QuerySelector("a.incident-id")!.GetAttribute("href"));
        Assert.Equal(["triggered", "critical", "ana"], [
            rows[0].QuerySelector(".status")!.TextContent.Trim(), rows[0].QuerySelector(".severity")!.TextContent.Trim(), rows[0].QuerySelector(".assignee")!.TextContent.Trim()]);
        Assert.Contains("2 / 3", rows[0].TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IncidentTable_SortBySeverity_PutsCriticalLastThenFirst()
    {
        var table = _context.Render<IncidentTable>(p => p.Add(c => c.Incidents, new[]
        {
            Incident(1, IncidentStatus.Triggered, AlertSeverity.Warning, 3),
            Incident(2, IncidentStatus.Triggered, AlertSeverity.Critical, 2),
            Incident(3, IncidentStatus.Triggered, AlertSeverity.Info, 1),
        }));

        // MudTable sorts in an async handler: wait for the rows it renders.
        await SeverityHeader(table).ClickAsync(new MouseEventArgs());
        table.WaitForAssertion(() => Assert.Equal(["inc-3", "inc-1", "inc-2"], table.FindAll("tr.incident-row .incident-id").Select(e => e.TextContent.Trim())));
        await SeverityHeader(table).ClickAsync(new MouseEventArgs());
        table.WaitForAssertion(() => Assert.Equal(["inc-2", "inc-1", "inc-3"], table.FindAll("tr.incident-row .incident-id").Select(e => e.TextContent.Trim())));
    }

    [Fact]
    public void IncidentTable_None_SaysSo()
    {
        var table = _context.Render<IncidentTable>(p => p.Add(c => c.Incidents, Array.Empty<Incident>()));
        Assert.Equal("No incidents match.", table.Find(".no-incidents").TextContent.Trim());
    }

    private static AngleSharp.Dom.IElement SeverityHeader(IRenderedComponent<IncidentTable> table) =>
        table.FindAll("th .mud-table-sort-label").Single(h => h.TextContent.Contains("Severity", StringComparison.Ordinal));

    public Task InitializeAsync() => Task.CompletedTask;

    // MudBlazor's services are only asynchronously disposable.
    public Task DisposeAsync() => _context.DisposeAsync().AsTask();
}
