namespace TaskLens.Ingest.Otlp;

/// <summary>Outcome of reading one length-prefixed gRPC message.</summary>
public enum GrpcFrameStatus
{
    Complete,

    /// <summary>The buffer ends inside the 5-byte prefix or the message.</summary>
    Incomplete,

    /// <summary>The prefix announces more than the allowed size (answer RESOURCE_EXHAUSTED).</summary>
    TooLarge,

    /// <summary>The compressed-flag byte is neither 0 nor 1.</summary>
    InvalidFlag,
}
