namespace TaskLens.Core.Goals;

/// <summary>
/// What many spans share: name, service, model and kind, held once (<see cref="RunSpanReader"/> pools them) so a held
/// span carries one reference for the four.
/// </summary>
public sealed record SpanShape(string Name, string Service, string? Model, SubTaskKind Kind);
