namespace TaskLens.Core.Goals;

/// <summary>
/// What <see cref="GoalRunCalculator"/> needs per span while it computes one run, kept from run to run so the sweep
/// allocates nothing for it: grown to the largest run seen (at most <see cref="GoalOptions.MaxSpansPerRun"/>, ~60
/// bytes a span), never shrunk. Indices are into the run's spans (<see cref="RunSpanSet"/>, in arrival order), positions into
/// its sub-tasks in start order, nodes are positions + 1 with the goal span as node 0.
/// </summary>
internal sealed class GoalRunScratch
{
    /// <summary>Each span's parent's index, -1 when it has none or it is not in the run.</summary>
    public int[] Parents { get; private set; } = [];

    /// <summary>Whether the span is an ancestor of the goal span (not a sub-task).</summary>
    public bool[] Ancestor { get; private set; } = [];

    /// <summary>Each sub-task's position in start order, by index (set for sub-tasks only).</summary>
    public int[] Positions { get; private set; } = [];

    /// <summary>The sub-tasks in start order.</summary>
    public StartKey[] ByStart { get; private set; } = [];

    /// <summary>Each position's parent node, -1 when its parent is not the goal span or a sub-task.</summary>
    public int[] ParentNode { get; private set; } = [];

    /// <summary>Where each node's children start in <see cref="Children"/> (one more entry than nodes).</summary>
    public int[] ChildStart { get; private set; } = [];
    public int[] Fill { get; private set; } = [];

    /// <summary>Children positions, node by node, each node's in start order.</summary>
    public int[] Children { get; private set; } = [];

    /// <summary>The children of a node on the critical path, by end (latest first), at the node's place in <see cref="Children"/>.</summary>
    public EndKey[] ByEnd { get; private set; } = [];
    public int[] Queue { get; private set; } = [];
    public bool[] Seen { get; private set; } = [];
    public int[] Level { get; private set; } = [];

    /// <summary>Room for a run of <paramref name="spans"/> spans, with the flags and counts cleared.</summary>
    public void Prepare(int spans)
    {
        if (Parents.Length < spans)
        {
            var size = Math.Max(spans, Parents.Length * 2);
            Parents = new int[size];
            Ancestor = new bool[size];
            Positions = new int[size];
            ByStart = new StartKey[size];
            ParentNode = new int[size];
            ChildStart = new int[size + 2];
            Fill = new int[size + 1];
            Children = new int[size];
            ByEnd = new EndKey[size];
            Queue = new int[size + 1];
            Seen = new bool[size + 1];
            Level = new int[size + 1];
        }

        Array.Clear(Ancestor, 0, spans);
        Array.Clear(ChildStart, 0, spans + 2);
        Array.Clear(Seen, 0, spans + 1);
    }

    /// <summary>A sub-task's sort key: start, then span id (unique, so any sort gives one order).</summary>
    public readonly struct StartKey(ulong start, ulong spanId, int index) : IComparable<StartKey>
    {
        public ulong Start { get; } = start;
        public ulong SpanId { get; } = spanId;
        public int Index { get; } = index;

        public int CompareTo(StartKey other) => Start != other.Start ? Start.CompareTo(other.Start) : SpanId.CompareTo(other.SpanId);
    }

    /// <summary>A child's key on the critical path: latest end first, then the lowest span id.</summary>
    public readonly struct EndKey(ulong end, ulong spanId, int position) : IComparable<EndKey>
    {
        public ulong End { get; } = end;
        public ulong SpanId { get; } = spanId;
        public int Position { get; } = position;

        public int CompareTo(EndKey other) => End != other.End ? other.End.CompareTo(End) : SpanId.CompareTo(other.SpanId);
    }
}
