using System.Globalization;

namespace TaskLens.Benchmarks.Goals;

/// <summary>The <c>held</c> piece's arguments, read strictly: a mistyped or extra argument is answered with the usage line, not ignored.</summary>
internal static class HeldArguments
{
    public const string Usage = "usage: held SPANS_PER_S SECONDS [PAUSE_S] [BURST_S]  (whole numbers: the simulated rate, how long, seconds to stay alive at the end for a profiler, and seconds of large runs first)";

    /// <summary>Reads <c>held SPANS_PER_S SECONDS [PAUSE_S] [BURST_S]</c>; false for anything else.</summary>
    public static bool TryParse(string[] args, out int spansPerSecond, out int seconds, out int pauseSeconds, out int burstSeconds)
    {
        spansPerSecond = seconds = pauseSeconds = burstSeconds = 0;
        return args is ["held", var rate, var length, ..]
            && args.Length <= 5
            && Whole(rate, out spansPerSecond) && spansPerSecond > 0
            && Whole(length, out seconds) && seconds > 0
            && (args.Length == 3 || Whole(args[3], out pauseSeconds))
            && (args.Length <= 4 || Whole(args[4], out burstSeconds));
    }

    private static bool Whole(string text, out int value) => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
}
