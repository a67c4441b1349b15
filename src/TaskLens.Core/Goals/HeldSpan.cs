using System.Runtime.InteropServices;

namespace TaskLens.Core.Goals;

/// <summary>
/// A <see cref="RunSpan"/> as a run holds it (<see cref="RunSpanSet"/>): the same packed words, with the span's one
/// reference (its shape, or the side object of a span with extras) replaced by a handle into tables outside the span.
/// Without references, the GC never reads an array of these, and the arrays can be pooled and reused from run to run.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal readonly record struct HeldSpan(ulong SpanId, ulong ParentSpanId, ulong StartUnixNano, ulong Timing, ulong Numbers, int Side);
