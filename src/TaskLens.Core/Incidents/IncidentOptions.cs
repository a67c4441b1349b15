namespace TaskLens.Core.Incidents;

/// <summary>Incident settings, bound from <c>TaskLens:Incidents</c>.</summary>
public sealed class IncidentOptions
{
    public const string SectionName = "TaskLens:Incidents";

    /// <summary>How long after its last alert an open incident still takes related new ones.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long a link between services counts after it was last seen (and how far back spans are read at start).</summary>
    public TimeSpan LinkWindow { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Open incidents per tenant; past it an alert that would open one stays in the intake only, counted and logged.</summary>
    public int MaxOpenIncidents { get; set; } = 1_000;

    /// <summary>Distinct alert words the correlator learns per tenant.</summary>
    public int MaxWords { get; set; } = 100_000;

    internal AlertCorrelator.Settings ToSettings() => new(Window, MaxWords: MaxWords, MaxOpenIncidents: MaxOpenIncidents);

    public IEnumerable<string> Validate()
    {
        if (MaxOpenIncidents < 1 || MaxWords < 100)
        {
            yield return $"{SectionName}: MaxOpenIncidents is at least 1 and MaxWords at least 100.";
        }

        if (Window < TimeSpan.FromMinutes(1) || Window > TimeSpan.FromDays(1))
        {
            yield return $"{SectionName}:Window must be between 00:01:00 and 1.00:00:00 (was {Window}).";
        }

        if (LinkWindow < TimeSpan.FromMinutes(1) || LinkWindow > TimeSpan.FromDays(7))
        {
            yield return $"{SectionName}:LinkWindow must be between 00:01:00 and 7.00:00:00 (was {LinkWindow}).";
        }
    }
}
