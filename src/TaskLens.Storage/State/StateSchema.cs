namespace TaskLens.Storage.State;

/// <summary>
/// The tables one store keeps in the state database, as ordered statements. Each statement runs once, in order,
/// and is remembered by (owner, index): a store changes its tables by appending statements, never by editing one
/// that has run. Stores register their schema beside themselves, so no shared migration list grows by hand.
/// </summary>
public sealed record StateSchema(string Owner, IReadOnlyList<string> Statements);
