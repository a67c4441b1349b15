using Microsoft.Extensions.Logging;

namespace TaskLens.Ingest.Spool;

/// <summary>
/// What the drainer cannot do right now (write its checkpoint, delete a segment, read the spool), logged once when it
/// starts failing and once when it works again — not at every retry — and listed for the operator meanwhile.
/// </summary>
internal sealed class DrainerFaults(ILogger logger)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, string> _failing = new(StringComparer.Ordinal);

    public IReadOnlyList<string> Current
    {
        get
        {
            lock (_gate)
            {
                return [.. _failing.Select(f => $"cannot {f.Key}: {f.Value}")];
            }
        }
    }

    public void Failed(string action, Exception e)
    {
        lock (_gate)
        {
            if (_failing.TryAdd(action, e.Message))
            {
                IngestLog.SpoolDrainerFault(logger, action, e.Message, e);
            }
        }
    }

    public void Succeeded(string action)
    {
        lock (_gate)
        {
            if (_failing.Remove(action))
            {
                IngestLog.SpoolDrainerRecovered(logger, action);
            }
        }
    }
}
