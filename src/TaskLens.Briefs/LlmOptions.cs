namespace TaskLens.Briefs;

/// <summary>
/// The model that writes narratives (<c>TaskLens:Llm</c>): any OpenAI-compatible chat completions endpoint (OpenAI,
/// Azure OpenAI's v1 API, Ollama, vLLM, LM Studio). Without <see cref="Endpoint"/> no model is called and the facts
/// brief is the brief. <see cref="ApiKey"/> comes from configuration or the environment and is never logged.
/// </summary>
public sealed class LlmOptions
{
    public const string SectionName = "TaskLens:Llm";

    /// <summary>The API base, e.g. <c>https://api.openai.com/v1</c> or <c>http://localhost:11434/v1</c>.</summary>
    public string? Endpoint { get; set; }
    public string Model { get; set; } = "";
    public string? ApiKey { get; set; }

    /// <summary>One model request; a timeout is retried like a 5xx.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries of a timeout, 429 or 5xx (waiting what Retry-After says, up to <see cref="MaxRetryAfter"/>).</summary>
    public int MaxRetries { get; set; } = 2;
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Evidence functions the model may call for one narrative.</summary>
    public int MaxFunctionCalls { get; set; } = 4;

    /// <summary>Output tokens per model request.</summary>
    public int MaxOutputTokens { get; set; } = 600;

    /// <summary>Tokens (input and output, as the endpoint counts them) one narrative may use over all its requests.</summary>
    public int MaxTokensPerBrief { get; set; } = 24_000;

    /// <summary>Longest narrative accepted, in characters.</summary>
    public int MaxNarrativeChars { get; set; } = 1_800;

    /// <summary>Model requests per incident per hour: an alert flood cannot run up a bill.</summary>
    public int MaxCallsPerIncidentPerHour { get; set; } = 12;

    public bool Configured => !string.IsNullOrWhiteSpace(Endpoint);

    public IEnumerable<string> Validate()
    {
        const string section = SectionName;
        if (!Configured)
        {
            yield break;
        }

        if (!Uri.TryCreate(Endpoint, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            yield return $"{section}:Endpoint must be an http(s) URL such as https://api.openai.com/v1.";
        }

        if (string.IsNullOrWhiteSpace(Model))
        {
            yield return $"{section}:Model is required with an endpoint.";
        }

        if (Timeout <= TimeSpan.Zero || Timeout > TimeSpan.FromMinutes(5))
        {
            yield return $"{section}:Timeout must be between 00:00:00.001 and 00:05:00.";
        }

        if (MaxRetries is < 0 or > 10)
        {
            yield return $"{section}:MaxRetries must be between 0 and 10.";
        }

        if (MaxRetryAfter < TimeSpan.Zero)
        {
            yield return $"{section}:MaxRetryAfter must not be negative.";
        }

        if (MaxFunctionCalls is < 0 or > 20)
        {
            yield return $"{section}:MaxFunctionCalls must be between 0 and 20.";
        }

        if (MaxOutputTokens is < 16 or > 16_000)
        {
            yield return $"{section}:MaxOutputTokens must be between 16 and 16000.";
        }

        if (MaxTokensPerBrief < MaxOutputTokens)
        {
            yield return $"{section}:MaxTokensPerBrief must be at least MaxOutputTokens.";
        }

        if (MaxNarrativeChars is < 100 or > 20_000)
        {
            yield return $"{section}:MaxNarrativeChars must be between 100 and 20000.";
        }

        if (MaxCallsPerIncidentPerHour < 1)
        {
            yield return $"{section}:MaxCallsPerIncidentPerHour must be at least 1.";
        }
    }
}
