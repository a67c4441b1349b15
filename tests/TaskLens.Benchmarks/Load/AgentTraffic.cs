using System.Buffers.Binary;

namespace TaskLens.Benchmarks.Load;

/// <summary>
/// The second scenario: agent exports of 5,000 spans, one goal run each (<see cref="AgentExport"/>). One export is
/// built; each further one is a copy with a trace id of its own, so making them takes no CPU from the run.
/// </summary>
internal sealed class AgentTraffic
{
    public const int SpansPerExport = 5000;

    private readonly byte[] _template = AgentExport.Create(SpansPerExport, 1);
    private readonly List<int> _offsets = [];

    public AgentTraffic()
    {
        var trace = BitConverter.GetBytes((1L << 8) | 0x5A).Concat(BitConverter.GetBytes(0x0123456789ABCDEFL + 1)).ToArray();
        for (var i = 2; i + 16 <= _template.Length; i++)
        {
            if (_template[i - 2] == 0x0A && _template[i - 1] == 0x10 && _template.AsSpan(i, 16).SequenceEqual(trace))
            {
                _offsets.Add(i);
                i += 15;
            }
        }

        if (_offsets.Count != SpansPerExport)
        {
            throw new InvalidOperationException($"found {_offsets.Count} trace ids in the agent export, expected {SpansPerExport}");
        }
    }

    public int Bytes => _template.Length;

    /// <summary>Export <paramref name="sequence"/>, with the trace id <c>5A5A…</c> followed by the sequence number.</summary>
    public byte[] Create(long sequence)
    {
        var bytes = (byte[])_template.Clone();
        foreach (var offset in _offsets)
        {
            BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(offset), 0x5A5A_5A5A_0000_0000UL | (ulong)(sequence >> 32));
            BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(offset + 8), (ulong)sequence);
        }

        return bytes;
    }
}
