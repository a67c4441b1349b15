using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace TaskLens.Core;

/// <summary>
/// The one way TaskLens takes settings: each options class keeps its section name (<c>SectionName</c>) and its own
/// <c>Validate()</c>; this binds the section, validates it through <see cref="IValidateOptions{TOptions}"/> with
/// <c>ValidateOnStart()</c> (start-up fails listing every error, each prefixed with the section), and registers the
/// bound value itself for services that take it directly.
/// </summary>
public static class OptionsRegistration
{
    public static OptionsBuilder<T> AddValidatedOptions<T>(
        this IServiceCollection services, IConfiguration configuration, string sectionName, Func<T, IEnumerable<string>> validate)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddSingleton<IValidateOptions<T>>(new SectionValidator<T>(sectionName, validate));
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<T>>().Value);
        return services.AddOptions<T>().Bind(configuration.GetSection(sectionName)).ValidateOnStart();
    }
}

/// <summary>Runs an options class's own <c>Validate()</c>; every error names the section it is about.</summary>
public sealed class SectionValidator<T>(string sectionName, Func<T, IEnumerable<string>> validate) : IValidateOptions<T>
    where T : class
{
    public ValidateOptionsResult Validate(string? name, T options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = validate(options).Select(e => e.StartsWith(sectionName, StringComparison.Ordinal) ? e : $"{sectionName}: {e}").ToList();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
