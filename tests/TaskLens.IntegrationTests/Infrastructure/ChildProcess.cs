using System.Diagnostics;

namespace TaskLens.IntegrationTests.Infrastructure;

internal static class ChildProcess
{
    /// <summary>Starts a process whose output is read and dropped, so a chatty child never blocks on a full pipe.</summary>
    public static Process StartQuiet(ProcessStartInfo start)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        var process = Process.Start(start)!;
        process.OutputDataReceived += static (_, _) => { };
        process.ErrorDataReceived += static (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}
