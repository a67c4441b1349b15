namespace TaskLens.Server.Access;

/// <summary>
/// Password guessing: at most <see cref="AttemptsPerWindow"/> sign-in posts per client address in a fixed one-minute
/// window; past that, 429 with <c>Retry-After</c>. Counted here rather than by ASP.NET Core's rate limiter, whose
/// partitioned limiter replenishes on a 100 ms timer for the life of the process: that timer woke the runtime's timer
/// thread and a thread-pool worker ten times a second on every port, ingest included, to guard a page that is
/// posted a few times a day (docs/ingest.md, `prof` branch, session 12). Nothing here runs between requests.
/// A client is its address as the server sees it (<see cref="ClientKey"/>): IPv6 clients by their /64, which one
/// host commonly holds whole; behind a reverse proxy every client is the proxy (docs/access.md).
/// </summary>
internal sealed class SignInThrottle(TimeProvider time)
{
    /// <summary>Sign-in posts allowed per client address and window.</summary>
    public const int AttemptsPerWindow = 10;

    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Clients counted at once. When the table is full even after dropping ended windows, a new client's post is
    /// refused until windows end: a flood from many addresses cannot grow the table without bound, and while it lasts
    /// a client already counted keeps its own allowance.
    /// </summary>
    public const int MaxClients = 100_000;

    private readonly Dictionary<string, (DateTimeOffset Start, int Count)> _windows = [];
    private readonly Lock _lock = new();
    private DateTimeOffset _lastPrune = DateTimeOffset.MinValue;

    /// <summary>Counts one attempt from <paramref name="address"/>; false once it is past the window's allowance.</summary>
    public bool TryAttempt(string address)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            // Windows that ended are dropped at most once a window (or at once when the table is full), so the table
            // holds only the clients that posted in about the last two minutes.
            var known = _windows.TryGetValue(address, out var current);
            if (now - _lastPrune >= Window || (!known && _windows.Count >= MaxClients))
            {
                Prune(now);
                known = _windows.TryGetValue(address, out current);
            }

            if (!known && _windows.Count >= MaxClients)
            {
                return false;
            }

            if (!known || now - current.Start >= Window)
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

    /// <summary>Clients whose window is counted now.</summary>
    public int ClientsCounted
    {
        get
        {
            lock (_lock)
            {
                return _windows.Count;
            }
        }
    }

    /// <summary>
    /// The client an address counts as: an IPv4 address (mapped or not) as itself, an IPv6 address by its /64 prefix,
    /// so one host cannot take a fresh allowance from each address of its network.
    /// </summary>
    public static string ClientKey(System.Net.IPAddress? address)
    {
        if (address is null)
        {
            return "";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4().ToString();
        }

        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new System.Net.IPAddress(bytes) + "/64";
    }

    /// <summary>Middleware: a sign-in post over the allowance is answered 429 before the page sees it.</summary>
    public async Task CheckAsync(HttpContext context, RequestDelegate next)
    {
        if (HttpMethods.IsPost(context.Request.Method)
            && IsSignInPage(context.Request.Path)
            && !TryAttempt(ClientKey(context.Connection.RemoteIpAddress)))
        {
            context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            context.Response.Headers.RetryAfter = ((int)Window.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return;
        }

        await next(context);
    }

    /// <summary>The sign-in page's path as routing matches it: any case, with or without a trailing slash.</summary>
    private static bool IsSignInPage(PathString path) =>
        path.Value is { } value && value.TrimEnd('/').Equals("/signin", StringComparison.OrdinalIgnoreCase);

    private void Prune(DateTimeOffset now)
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
}
