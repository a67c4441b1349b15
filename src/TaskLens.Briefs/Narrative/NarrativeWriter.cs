using Microsoft.Extensions.Logging;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Connectors.OpenAI;
using ChatTokenUsage = OpenAI.Chat.ChatTokenUsage;
using TaskLens.Core.Briefs;
using TaskLens.Core.Goals;

namespace TaskLens.Briefs.Narrative;

/// <summary>
/// Has the configured model write a narrative over the facts through Semantic Kernel, letting it call the read-only
/// evidence functions (at most <see cref="LlmOptions.MaxFunctionCalls"/>, within <see cref="LlmOptions.MaxTokensPerBrief"/>
/// and the incident's hourly budget), then validates the text against the facts and what the functions returned. The
/// facts stand whatever happens here: a rejected or failed narrative only records why.
/// </summary>
internal sealed class NarrativeWriter(
    LlmOptions options, IChatCompletionService? chat, ModelRetryHandler? retries, EvidenceQueries queries, ModelPriceTable prices, TimeProvider time)
{
    public async Task<NarrativeState> WriteAsync(BriefFacts facts, string factsHash, int callsLeft, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(facts);
        if (chat is null || !options.Configured)
        {
            return new NarrativeState { Status = "not-configured", Reason = "No model endpoint is configured." };
        }

        var ledger = EvidenceLedger.FromFacts(facts);
        var functions = new EvidenceFunctions(queries, facts, ledger);
        var kernel = new Kernel();
        kernel.Plugins.AddFromObject(functions, "evidence");
        var history = new ChatHistory(NarrativePrompt.System(options.MaxNarrativeChars));
        history.AddUserMessage(NarrativePrompt.User(facts));

        var state = new NarrativeState { Status = "failed", Model = options.Model, FactsHash = factsHash };
        var attemptsBefore = retries?.Attempts ?? 0;
        long input = 0, output = 0;
        string? text = null;
        try
        {
            for (var round = 0; text is null; round++)
            {
                var used = (retries?.Attempts ?? 0) - attemptsBefore;
                if (used >= callsLeft)
                {
                    return Done(state with { Reason = $"the incident's hourly budget of model calls ran out after {used} call(s)" }, input, output, used, functions.Calls);
                }

                if (input + output + options.MaxOutputTokens > options.MaxTokensPerBrief)
                {
                    return Done(state with { Reason = $"the brief's token budget ({options.MaxTokensPerBrief}) ran out" }, input, output, used, functions.Calls);
                }

                var settings = new OpenAIPromptExecutionSettings
                {
                    ModelId = options.Model,
                    MaxTokens = options.MaxOutputTokens,
                    Temperature = 0,
                    FunctionChoiceBehavior = functions.Calls < options.MaxFunctionCalls ? FunctionChoiceBehavior.Auto(autoInvoke: false) : FunctionChoiceBehavior.None(),
                };
                var reply = await chat.GetChatMessageContentAsync(history, settings, kernel, cancellationToken);
                if (reply.Metadata?.GetValueOrDefault("Usage") is ChatTokenUsage usage)
                {
                    input += usage.InputTokenCount;
                    output += usage.OutputTokenCount;
                }

                var calls = FunctionCallContent.GetFunctionCalls(reply).ToList();
                if (calls.Count == 0)
                {
                    text = reply.Content?.Trim() ?? "";
                    break;
                }

                history.Add(reply);
                foreach (var call in calls)
                {
                    history.Add(await InvokeAsync(call, kernel, functions, cancellationToken));
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return Done(state with { Reason = Describe(e) }, input, output, (retries?.Attempts ?? 0) - attemptsBefore, functions.Calls);
        }

        var (accepted, reason) = NarrativeValidator.Validate(text, ledger, options.MaxNarrativeChars);
        return Done(
            state with { Status = accepted ? "accepted" : "rejected", Text = accepted ? text : "", Reason = accepted ? "" : reason },
            input, output, (retries?.Attempts ?? 0) - attemptsBefore, functions.Calls);
    }

    private async Task<ChatMessageContent> InvokeAsync(FunctionCallContent call, Kernel kernel, EvidenceFunctions functions, CancellationToken cancellationToken)
    {
        if (functions.Calls >= options.MaxFunctionCalls)
        {
            return new FunctionResultContent(call, "Function call limit reached: write the narrative from what you have.").ToChatMessage();
        }

        try
        {
            return (await call.InvokeAsync(kernel, cancellationToken)).ToChatMessage();
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The evidence could not be read (a bad argument, storage away): the model hears so and writes from what it has.
            return new FunctionResultContent(call, $"The call failed ({e.GetType().Name}).").ToChatMessage();
        }
    }

    private NarrativeState Done(NarrativeState state, long input, long output, int modelCalls, int functionCalls) => state with
    {
        InputTokens = input,
        OutputTokens = output,
        Cost = prices.TryFind(options.Model, out var price) ? Math.Round(price.CostOf(input, output, 0), 8) : null,
        ModelCalls = modelCalls,
        FunctionCalls = functionCalls,
        GeneratedAt = time.GetUtcNow(),
    };

    /// <summary>Why the model could not be used, in words that carry no key or prompt.</summary>
    private static string Describe(Exception e) => e switch
    {
        HttpOperationException { StatusCode: { } status } => $"the model endpoint answered {(int)status} ({status}) after retries",
        TimeoutException t => t.Message,
        _ when e.InnerException is TimeoutException t => t.Message,
        _ => $"the model request failed ({e.GetType().Name})",
    };
}
