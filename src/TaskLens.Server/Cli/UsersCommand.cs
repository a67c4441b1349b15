using TaskLens.Core;
using TaskLens.Core.Access;
using TaskLens.Storage;
using TaskLens.Storage.State;

namespace TaskLens.Server.Cli;

/// <summary>
/// <c>tasklens users add NAME [--admin | --role viewer|responder|admin] [--tenant T] [--password-stdin]</c> and
/// <c>tasklens users list [--tenant T]</c>: local users in the app-state database the server uses (same settings:
/// <c>TaskLens:State:Path</c> from appsettings.json, the environment or <c>--TaskLens:State:Path=…</c>). The password is
/// asked for without echo, or read as one line from standard input with <c>--password-stdin</c>; never an argument, so it
/// stays out of shell history and process lists. Works while the server runs. Exit codes: 0 done, 1 refused, 2 bad arguments.
/// </summary>
internal static class UsersCommand
{
    public const string Verb = "users";

    private const string Usage =
        "usage: tasklens users add NAME [--admin | --role viewer|responder|admin] [--tenant TENANT] [--password-stdin]\n"
        + "       tasklens users list [--tenant TENANT]";

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextReader input, TextWriter output, TextWriter error)
    {
        if (args.Count == 0 || args[0] is not ("add" or "list"))
        {
            await error.WriteLineAsync(Usage);
            return 2;
        }

        var verb = args[0];
        string? name = null;
        var role = Role.Viewer;
        var tenant = OpenModeActor.DefaultTenant;
        var passwordStdin = false;
        var settings = new List<string>();
        for (var i = 1; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--admin":
                    role = Role.Admin;
                    break;
                case "--role" when i + 1 < args.Count && Roles.TryParse(args[i + 1], out var parsed):
                    role = parsed;
                    i++;
                    break;
                case "--tenant" when i + 1 < args.Count:
                    tenant = args[++i];
                    break;
                case "--password-stdin":
                    passwordStdin = true;
                    break;
                case var setting when setting.StartsWith("--", StringComparison.Ordinal) && setting.Contains('=', StringComparison.Ordinal):
                    settings.Add(setting);
                    break;
                case var value when name is null && verb == "add" && !value.StartsWith("--", StringComparison.Ordinal):
                    name = value;
                    break;
                default:
                    await error.WriteLineAsync($"unknown or incomplete argument '{args[i]}'\n{Usage}");
                    return 2;
            }
        }

        if (verb == "add" && name is null)
        {
            await error.WriteLineAsync($"the user's name is required\n{Usage}");
            return 2;
        }

        using var host = BuildHost([.. settings]);
        await host.Services.GetRequiredService<StateDatabase>().MigrateAsync(CancellationToken.None);
        var access = host.Services.GetRequiredService<AccessService>();
        if (verb == "list")
        {
            foreach (var user in await access.ListUsersAsync(tenant, CancellationToken.None))
            {
                await output.WriteLineAsync($"{user.Name}\t{Roles.Name(user.Role)}\t{(user.IsActive ? "active" : "disabled")}\t{user.CreatedAt:yyyy-MM-dd HH:mm}Z");
            }

            return 0;
        }

        var password = passwordStdin || Console.IsInputRedirected ? await input.ReadLineAsync() : AskTwice(error);
        if (password is null)
        {
            await error.WriteLineAsync("no password given (the two entries differ, or standard input was empty)");
            return 1;
        }

        var (created, problem) = await access.CreateUserAsync(tenant, name!, role, password, "command line", CancellationToken.None);
        if (created is null)
        {
            await error.WriteLineAsync(problem);
            return 1;
        }

        await output.WriteLineAsync($"added {Roles.Name(role)} '{created.Name}' to tenant '{tenant}' in {host.Services.GetRequiredService<StateDatabase>().Location}");
        return 0;
    }

    /// <summary>The server's configuration sources and content root (<c>TASKLENS_ROOT</c>, set by ./tasklens); nothing is started.</summary>
    private static IHost BuildHost(string[] settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = settings,
            ContentRootPath = Environment.GetEnvironmentVariable("TASKLENS_ROOT") ?? Directory.GetCurrentDirectory(),
        });
        builder.Logging.ClearProviders();
        builder.AddTaskLensStorage();
        builder.AddTaskLensCore();
        builder.Services.AddSingleton<IPasswordHasher, Access.IdentityPasswordHasher>();
        return builder.Build();
    }

    private static string? AskTwice(TextWriter error)
    {
        var first = Ask(error, $"password for the new user (at least {AccessRules.MinPasswordLength} characters): ");
        var second = Ask(error, "again: ");
        return first == second ? first : null;
    }

    private static string Ask(TextWriter error, string prompt)
    {
        error.Write(prompt);
        var text = new System.Text.StringBuilder();
        while (Console.ReadKey(intercept: true) is var key && key.Key != ConsoleKey.Enter)
        {
            if (key.Key == ConsoleKey.Backspace)
            {
                text.Length = Math.Max(0, text.Length - 1);
            }
            else if (!char.IsControl(key.KeyChar))
            {
                text.Append(key.KeyChar);
            }
        }

        error.WriteLine();
        return text.ToString();
    }
}
