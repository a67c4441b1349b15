using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TaskLens.Core.Goals;
using TaskLens.Server.EmbeddedClickHouse;

namespace TaskLens.UnitTests.Server;

public sealed class EmbeddedClickHouseHostingTests
{
    [Theory]
    [InlineData(null, null, false)]
    [InlineData(null, "true", true)]
    [InlineData(null, "false", false)]
    [InlineData("http://clickhouse.example:8123", null, true)]
    [InlineData("http://clickhouse.example:8123", "false", false)]
    public void AddTaskLensEmbeddedClickHouse_StoredSpanCheck_OffOnlyForTheNodesOwnServerUnlessConfigured(string? url, string? configured, bool expected)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = Path.GetTempPath() });
        var settings = new Dictionary<string, string?>();
        if (url is not null)
        {
            settings["TaskLens:ClickHouse:Url"] = url;
        }

        if (configured is not null)
        {
            settings["TaskLens:Goals:CheckStoredSpans"] = configured;
        }

        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddOptions<GoalOptions>().Bind(builder.Configuration.GetSection(GoalOptions.SectionName));

        builder.AddTaskLensEmbeddedClickHouse();
        using var services = builder.Services.BuildServiceProvider();

        Assert.Equal(expected, services.GetRequiredService<IOptions<GoalOptions>>().Value.CheckStoredSpans);
    }
}
