using System.ClientModel;
using System.ClientModel.Primitives;
using MediatR;
using TaskLens.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.SemanticKernel.Connectors.OpenAI;
using OpenAI;
using TaskLens.Briefs.Api;
using TaskLens.Briefs.Facts;
using TaskLens.Briefs.Narrative;
using TaskLens.Core.Briefs;
using TaskLens.Core.Goals;
using TaskLens.Core.Incidents;

namespace TaskLens.Briefs;

public static class BriefsHostingExtensions
{
    /// <summary>
    /// Briefs: options (<c>TaskLens:Briefs</c>, <c>TaskLens:Llm</c>, validated at start), the writer subscribed to the
    /// incident domain events, the brief requests' handlers, the model client when an endpoint is configured, and the
    /// MCP server's tools. Register after Core (incidents) and storage.
    /// </summary>
    public static IHostApplicationBuilder AddTaskLensBriefs(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddValidatedOptions<BriefOptions>(builder.Configuration, BriefOptions.SectionName, o => o.Validate());
        services.AddValidatedOptions<LlmOptions>(builder.Configuration, LlmOptions.SectionName, o => o.Validate());
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<BriefOptions>();
            return new BriefSettings
            {
                GoalRunbooks = new Dictionary<string, string>(options.Runbooks.Goals, StringComparer.OrdinalIgnoreCase),
                ServiceRunbooks = new Dictionary<string, string>(options.Runbooks.Services, StringComparer.OrdinalIgnoreCase),
                MaxTemplates = options.MaxTemplates,
                TemplatesShown = options.TemplatesShown,
            };
        });
        services.AddSingleton<BriefBook>();
        services.AddSingleton<EvidenceCollector>();
        services.AddSingleton<EvidenceQueries>();
        services.AddSingleton(sp =>
        {
            var llm = sp.GetRequiredService<LlmOptions>();
            var time = sp.GetRequiredService<TimeProvider>();
#pragma warning disable CA2000 // Held by the chat client, which lives as long as the process.
            var retries = llm.Configured
                ? new ModelRetryHandler(llm, time, sp.GetRequiredService<ILogger<ModelRetryHandler>>()) { InnerHandler = new SocketsHttpHandler() }
                : null;
#pragma warning restore CA2000
            var chat = retries is null ? null : ChatCompletion(llm, retries, sp.GetRequiredService<ILoggerFactory>());
            return new NarrativeWriter(llm, chat, retries, sp.GetRequiredService<EvidenceQueries>(), sp.GetService<ModelPriceTable>() ?? ModelPriceTable.Empty, time);
        });
        services.AddSingleton<BriefsMetrics>();
        services.AddSingleton<ISelfMetrics>(sp => sp.GetRequiredService<BriefsMetrics>());
        services.AddSingleton<BriefService>();
        services.AddHostedService(sp => sp.GetRequiredService<BriefService>());
        services.AddTransient<INotificationHandler<IncidentOpened>, BriefSubscriber>();
        services.AddTransient<INotificationHandler<IncidentUpdated>, BriefSubscriber>();
        services.AddTransient<INotificationHandler<IncidentResolved>, BriefSubscriber>();
        services.AddTransient<IRequestHandler<GetIncidentBrief, IncidentBrief?>, GetIncidentBriefHandler>();
        services.AddTransient<IRequestHandler<RegenerateIncidentBrief, RegenerateResult>, RegenerateIncidentBriefHandler>();
        services.AddMcpServer(o => o.ServerInfo = new() { Name = "tasklens", Version = "1.0" })
            .WithHttpTransport(o => o.Stateless = true)
            .WithTools<BriefMcpTools>();
        return builder;
    }

    /// <summary>
    /// Semantic Kernel's OpenAI chat service over our own HTTP pipeline: the OpenAI client's retries are off and its
    /// network timeout unbounded, so <see cref="ModelRetryHandler"/> alone decides timeouts and retries.
    /// </summary>
    internal static OpenAIChatCompletionService ChatCompletion(LlmOptions llm, ModelRetryHandler handler, ILoggerFactory loggers)
    {
#pragma warning disable CA2000 // The client lives as long as the process: it is held by the singleton service.
        var http = new HttpClient(handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
#pragma warning restore CA2000
        var client = new OpenAIClient(
            new ApiKeyCredential(string.IsNullOrEmpty(llm.ApiKey) ? "none" : llm.ApiKey),
            new OpenAIClientOptions
            {
                Endpoint = new Uri(llm.Endpoint!),
                Transport = new HttpClientPipelineTransport(http),
                RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
                NetworkTimeout = Timeout.InfiniteTimeSpan,
            });
        return new OpenAIChatCompletionService(llm.Model, client, loggers);
    }
}
