namespace TaskLens.Core.Briefs;

/// <summary>
/// Error messages of one service mined into one template (variable parts as <c>&lt;*&gt;</c>): how many, first and
/// last seen, and whether it is new (first seen after the incident's onset and absent from the hour before).
/// <see cref="Template"/> is untrusted text from the monitored system.
/// </summary>
public sealed record ErrorTemplate(
    string Id,
    string Service,
    string Kind,
    string Template,
    long Count,
    DateTimeOffset FirstSeen,
    DateTimeOffset LastSeen,
    bool IsNew,
    IReadOnlyList<string> Sources);
