using Microsoft.Extensions.Options;

namespace TaskLens.Ingest.Spool;

internal sealed class SpoolOptionsValidator : IValidateOptions<SpoolOptions>
{
    public ValidateOptionsResult Validate(string? name, SpoolOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors.Select(e => "TaskLens:Spool: " + e));
    }
}
