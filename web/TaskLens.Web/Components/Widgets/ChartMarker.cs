namespace TaskLens.Web.Components.Widgets;

/// <summary>A vertical line on a chart: <paramref name="Kind"/> is <c>finding</c>, <c>context</c> or <c>incident</c>.</summary>
public sealed record ChartMarker(long UnixSeconds, string Kind, string Severity, string Text);
