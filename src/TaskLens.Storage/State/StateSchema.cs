namespace TaskLens.Storage.State;

/// <summary>
/// The tables one store keeps in the state database, as ordered statements. Each statement runs once, in order,
/// and is remembered by (owner, index): a store changes its tables by appending statements, never by editing one
/// that has run. Stores register their schema beside themselves, so no shared migration list grows by hand.
/// </summary>
/// <param name="Postgres">
/// The same steps for PostgreSQL where its SQL differs (as many, in the same order); none when the statements serve
/// both, apart from <c>INTEGER</c>: SQLite's is 64 bits, PostgreSQL's 32, so PostgreSQL is given <c>BIGINT</c> for it.
/// </param>
public sealed record StateSchema(string Owner, IReadOnlyList<string> Statements, IReadOnlyList<string>? Postgres = null)
{
    public IReadOnlyList<string> For(StateDialect dialect) => dialect switch
    {
        StateDialect.Postgres when Postgres is not null => Postgres,
        StateDialect.Postgres => Statements.Select(s => s.Replace(" INTEGER ", " BIGINT  ", StringComparison.Ordinal)).ToList(),
        _ => Statements,
    };
}
