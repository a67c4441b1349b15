namespace TaskLens.Core.Traces;

/// <summary>One service calling another, seen in spans: a server or consumer span whose parent is in the caller.</summary>
public sealed record ServiceLink(string Tenant, string Caller, string Callee, long Calls);
