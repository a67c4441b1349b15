using System.Diagnostics;

namespace TaskLens.IntegrationTests.Infrastructure;

/// <summary>
/// The real TaskLens executable as a child process, for tests that kill it or measure its memory: open mode on
/// loopback, its spool under <c>work/spool</c>, the given ClickHouse database, and any extra settings.
/// </summary>
internal static class TaskLensProcess
{
    /// <summary>Starts TaskLens and waits until <c>/healthz</c> answers (at most 30 s).</summary>
    public static async Task<Process> StartAsync(string clickHouseUrl, string work, string database, int[] ports, params string[] settings)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = work,
            ArgumentList =
            {
                Path.Combine(AppContext.BaseDirectory, "TaskLens.Server.dll"),
                "--contentRoot", work,
                "--TaskLens:Ingest:OpenMode=true",
                "--TaskLens:Server:ListenAddress=127.0.0.1",
                $"--TaskLens:Server:ApiPort={ports[0]}",
                $"--TaskLens:Server:OtlpGrpcPort={ports[1]}",
                $"--TaskLens:Server:OtlpHttpPort={ports[2]}",
                $"--TaskLens:ClickHouse:Url={clickHouseUrl}",
                $"--TaskLens:ClickHouse:Database={database}",
                "--TaskLens:Spool:Path=" + Path.Combine(work, "spool"),
                "--Logging:LogLevel:Default=Warning",
            },
        };
        foreach (var setting in settings)
        {
            start.ArgumentList.Add(setting);
        }

        var process = ChildProcess.StartQuiet(start);
        using var http = new HttpClient();
        for (var i = 0; i < 300; i++)
        {
            Assert.False(process.HasExited, $"TaskLens exited with code {(process.HasExited ? process.ExitCode : 0)} during start-up");
            try
            {
                using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{ports[0]}/healthz"));
                if (response.IsSuccessStatusCode)
                {
                    return process;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100);
        }

        process.Kill();
        throw new TimeoutException("TaskLens did not become healthy within 30 s.");
    }
}
