namespace TaskLens.Core.Access;

/// <summary>Names of key kinds as written in the admin page, the store and the command line, and the rights of API keys.</summary>
public static class KeyKinds
{
    public static IReadOnlyList<KeyKind> All { get; } = [KeyKind.Ingest, KeyKind.AlertToken, KeyKind.ApiRead, KeyKind.ApiTriage];

    /// <summary>The REST API rights of a key: read or read and triage for API keys, nothing for ingest keys and alert tokens.</summary>
    public static AccessRights ApiRightsOf(KeyKind kind) => kind switch
    {
        KeyKind.ApiRead => AccessRights.Read,
        KeyKind.ApiTriage => AccessRights.Read | AccessRights.Triage,
        _ => AccessRights.None,
    };

    public static string Name(KeyKind kind) => kind switch
    {
        KeyKind.Ingest => "ingest",
        KeyKind.AlertToken => "alert-token",
        KeyKind.ApiRead => "api-read",
        KeyKind.ApiTriage => "api-triage",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>A plain description for the admin page.</summary>
    public static string Describe(KeyKind kind) => kind switch
    {
        KeyKind.Ingest => "Ingest key (OTLP exports)",
        KeyKind.AlertToken => "Alert token (webhooks, events API)",
        KeyKind.ApiRead => "API key, read scope",
        KeyKind.ApiTriage => "API key, triage scope",
        _ => kind.ToString(),
    };

    public static bool TryParse(string? text, out KeyKind kind)
    {
        foreach (var k in All)
        {
            if (string.Equals(Name(k), text?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                kind = k;
                return true;
            }
        }

        kind = default;
        return false;
    }
}
