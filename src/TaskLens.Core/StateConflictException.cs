namespace TaskLens.Core;

/// <summary>
/// A compare-and-set lost: another writer (another node) changed the rows since they were read. Nothing of the change
/// was stored; the caller reads again and decides anew.
/// </summary>
public sealed class StateConflictException : Exception
{
    public StateConflictException()
    {
    }

    public StateConflictException(string message)
        : base(message)
    {
    }

    public StateConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
