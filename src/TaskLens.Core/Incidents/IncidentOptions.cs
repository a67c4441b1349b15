namespace TaskLens.Core.Incidents;

/// <summary>Incident settings, bound from <c>TaskLens:Incidents</c>.</summary>
public sealed class IncidentOptions
{
    public const string SectionName = "TaskLens:Incidents";

    /// <summary>How long after its last alert an open incident still takes related new ones.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long a link between services counts after it was last seen (and how far back spans are read at start).</summary>
    public TimeSpan LinkWindow { get; set; } = TimeSpan.FromHours(1);

    public IEnumerable<string> Validate()
    {
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
