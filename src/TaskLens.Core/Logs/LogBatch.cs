namespace TaskLens.Core.Logs;

/// <summary>Decoded log records of one or more exports, all of one tenant.</summary>
public sealed class LogBatch
{
    public string Tenant { get; set; } = Tenants.Default;

    public List<LogRow> Rows { get; } = [];
}
