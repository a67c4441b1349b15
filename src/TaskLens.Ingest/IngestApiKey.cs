namespace TaskLens.Ingest;

/// <summary>One ingest key and the tenant its exports are stored under. The key is a secret: never logged.</summary>
public sealed class IngestApiKey
{
    public string Key { get; set; } = string.Empty;

    public string Tenant { get; set; } = string.Empty;
}
