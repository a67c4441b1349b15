using Microsoft.Extensions.Options;
using TaskLens.Storage.ClickHouse;

namespace TaskLens.Storage;

/// <summary>Fails start-up listing every configuration error at once.</summary>
internal sealed class ClickHouseOptionsValidator : IValidateOptions<ClickHouseOptions>
{
    public ValidateOptionsResult Validate(string? name, ClickHouseOptions options)
    {
        var errors = options.Validate();
        return errors.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(errors.Select(e => $"{StorageHostingExtensions.SectionName}: {e}"));
    }
}
