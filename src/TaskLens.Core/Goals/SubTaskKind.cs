namespace TaskLens.Core.Goals;

/// <summary>What a sub-task of a goal run did, read from its span's attributes. Persisted: never renumber.</summary>
public enum SubTaskKind : byte
{
    Other = 0,

    /// <summary>A model call: <c>gen_ai.operation.name</c> chat / text_completion / generate_content / embeddings, or a span with a model and token usage.</summary>
    Llm = 1,

    /// <summary>A tool call: <c>gen_ai.operation.name = execute_tool</c>, Traceloop <c>tool</c>, OpenInference <c>TOOL</c>.</summary>
    Tool = 2,

    /// <summary>A database call: <c>db.system.name</c> (or the older <c>db.system</c>).</summary>
    Db = 3,

    /// <summary>An HTTP call: <c>http.request.method</c> (or the older <c>http.method</c>).</summary>
    Http = 4,
}
