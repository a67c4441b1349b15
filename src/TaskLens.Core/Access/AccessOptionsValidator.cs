using Microsoft.Extensions.Options;

namespace TaskLens.Core.Access;

/// <summary>Fails start-up listing every access configuration error at once.</summary>
internal sealed class AccessOptionsValidator : IValidateOptions<AccessOptions>
{
    public ValidateOptionsResult Validate(string? name, AccessOptions options)
    {
        var errors = options.Validate().ToList();
        return errors.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(errors.Select(e => $"{AccessOptions.SectionName}: {e}"));
    }
}
