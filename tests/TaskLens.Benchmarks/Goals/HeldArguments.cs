using System.Globalization;

namespace TaskLens.Benchmarks.Goals;

/// <summary>The <c>held</c> piece's arguments, read strictly: a mistyped or extra argument is answered with the usage line, not ignored.</summary>
internal static class HeldArguments
{
    public const string Usage = "usage: held SPANS_PER_S SECONDS [PAUSE_S]  (whole numbers: the simulated rate, how long, and seconds to stay alive at the end for a profiler)";

    /// <summary>Reads <c>held SPANS_PER_S SECONDS [PAUSE_S]</c>; false for anything else.</summary>
    public static bool TryParse(string[] args, out int spansPerSecond, out int seconds, out int pauseSeconds)
    {
        spansPerSecond = seconds = pauseSeconds = 0;
        return args is ["held", var rate, var length, ..]
            && args.Length <= 4
            && Whole(rate, out spansPerSecond) && spansPerSecond > 0
            && Whole(length, out seconds) && seconds > 0
            && (args.Length == 3 || Whole(args[3], out pauseSeconds));
    }

    private static bool Whole(string text, out int value) => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
}
