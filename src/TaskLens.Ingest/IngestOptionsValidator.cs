using Microsoft.Extensions.Options;

namespace TaskLens.Ingest;

/// <summary>Fails start-up listing every ingest configuration error at once.</summary>
internal sealed class IngestOptionsValidator : IValidateOptions<IngestOptions>
{
    public ValidateOptionsResult Validate(string? name, IngestOptions options)
    {
        var errors = options.Validate();
        return errors.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(errors.Select(e => $"{IngestOptions.SectionName}: {e}"));
    }
}
