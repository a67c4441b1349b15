using TaskLens.Briefs;

namespace TaskLens.UnitTests.Briefs;

public sealed class BriefOptionsTests
{
    [Fact]
    public void Validate_Defaults_AreValid_AndNoEndpointMeansNoModel()
    {
        Assert.Empty(new BriefOptions().Validate());
        Assert.Empty(new LlmOptions().Validate());
        Assert.False(new LlmOptions().Configured);
    }

    [Fact]
    public void Validate_BadModelSettings_ListsEveryError()
    {
        var llm = new LlmOptions { Endpoint = "ftp://models", Model = "", Timeout = TimeSpan.Zero, MaxRetries = 11, MaxOutputTokens = 8, MaxCallsPerIncidentPerHour = 0 };

        var errors = llm.Validate().ToList();

        Assert.Equal(6, errors.Count);
        Assert.All(errors, e => Assert.StartsWith("TaskLens:Llm:", e, StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("TaskLens:Llm:Endpoint", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("TaskLens:Llm:Model", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_RunbookThatIsNotAWebLink_IsNamed()
    {
        var options = new BriefOptions { Debounce = TimeSpan.FromHours(1) };
        options.Runbooks.Services["checkout"] = "javascript:alert(1)";

        var errors = options.Validate().ToList();

        Assert.Equal(["TaskLens:Briefs:Debounce must be between 0 and 00:10:00.", "TaskLens:Briefs:Runbooks 'checkout' must be an http(s) URL."], errors);
    }
}
