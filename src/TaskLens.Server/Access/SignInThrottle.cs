namespace TaskLens.Server.Access;

/// <summary>
/// Password guessing: at most <see cref="AttemptsPerWindow"/> sign-in posts per client address in a fixed one-minute
/// window; past that, 429 with <c>Retry-After</c>. Counted here rather than by ASP.NET Core's rate limiter, whose
/// partitioned limiter replenishes on a 100 ms timer for the life of the process: that timer woke the runtime's timer
/// thread and a thread-pool worker ten times a second on every port, ingest included, to guard a page that is
/// posted a few times a day (docs/ingest.md, `prof` branch, session 12). Nothing here runs between requests.
/// </summary>
internal sealed class SignInThrottle(TimeProvider time)
{
    /// <summary>Sign-in posts allowed per client address and window.</summary>
    public const int AttemptsPerWindow = 10;

    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly Dictionary<string, (DateTimeOffset Start, int Count)> _windows = [];
    private readonly Lock _lock = new();
    private DateTimeOffset _lastPrune = DateTimeOffset.MinValue;

    /// <summary>Counts one attempt from <paramref name="address"/>; false once it is past the window's allowance.</summary>
    public bool TryAttempt(string address)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            // Windows that ended are dropped at most once a window, so the table holds only the addresses that posted
            // in about the last two minutes.
            if (now - _lastPrune >= Window)
            {
                foreach (var (key, window) in _windows)
                {
                    if (now - window.Start >= Window)
                    {
                        _windows.Remove(key);
                    }
                }

                _lastPrune = now;
            }

            if (!_windows.TryGetValue(address, out var current) || now - current.Start >= Window)
            {
                current = (now, 0);
            }

            if (current.Count >= AttemptsPerWindow)
            {
                return false;
            }

            _windows[address] = (current.Start, current.Count + 1);
            return true;
        }
    }

    /// <summary>Middleware: a sign-in post over the allowance is answered 429 before the page sees it.</summary>
    public async Task CheckAsync(HttpContext context, RequestDelegate next)
    {
        if (HttpMethods.IsPost(context.Request.Method)
            && context.Request.Path.Equals("/signin", StringComparison.OrdinalIgnoreCase)
            && !TryAttempt(context.Connection.RemoteIpAddress?.ToString() ?? ""))
        {
            context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            context.Response.Headers.RetryAfter = ((int)Window.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return;
        }

        await next(context);
    }
}
