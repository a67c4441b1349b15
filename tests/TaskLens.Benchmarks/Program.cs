using BenchmarkDotNet.Running;

namespace TaskLens.Benchmarks;

internal static class Program
{
    /// <summary><c>load SERVER_DLL OUTPUT_DIR</c> runs the whole-system load run; anything else goes to BenchmarkDotNet.</summary>
    public static async Task<int> Main(string[] args)
    {
        if (args is ["load", var serverDll, var output])
        {
            return await Load.LoadBenchmark.RunAsync(serverDll, output);
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
