namespace TaskLens.Core.Access;

/// <summary>What an admin change did.</summary>
public enum AccessChangeOutcome
{
    Done,
    NotFound,

    /// <summary>Someone changed the user after the version the admin saw; nothing was overwritten.</summary>
    Stale,

    /// <summary>Not allowed or invalid; the reason says why.</summary>
    Refused,
}

public sealed record AccessChange(AccessChangeOutcome Outcome, string Reason = "")
{
    public static AccessChange Done { get; } = new(AccessChangeOutcome.Done);

    public static AccessChange NotFound { get; } = new(AccessChangeOutcome.NotFound, "No such user or key in this tenant.");

    public static AccessChange Stale { get; } = new(AccessChangeOutcome.Stale, "Someone changed it since you looked; reload and try again.");

    public static AccessChange Refused(string reason) => new(AccessChangeOutcome.Refused, reason);
}
