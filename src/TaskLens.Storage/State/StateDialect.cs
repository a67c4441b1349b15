namespace TaskLens.Storage.State;

/// <summary>Which relational engine holds app state: the SQL the stores write is the subset both serve, less these.</summary>
public enum StateDialect
{
    /// <summary>The embedded database file (one node).</summary>
    Sqlite,

    /// <summary>A PostgreSQL server shared by several nodes.</summary>
    Postgres,
}
