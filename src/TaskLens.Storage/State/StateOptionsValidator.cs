using Microsoft.Extensions.Options;

namespace TaskLens.Storage.State;

/// <summary>Fails start-up listing every state-store configuration error at once.</summary>
internal sealed class StateOptionsValidator : IValidateOptions<StateOptions>
{
    public ValidateOptionsResult Validate(string? name, StateOptions options)
    {
        var errors = options.Validate();
        return errors.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(errors.Select(e => $"{StateOptions.SectionName}: {e}"));
    }
}
