using System.Globalization;
using System.Text.RegularExpressions;

namespace TaskLens.Storage.ClickHouse;

/// <summary>An error answered by ClickHouse, with its numeric code, or a transport failure talking to it.</summary>
public sealed partial class ClickHouseException : Exception
{
    /// <summary>
    /// Codes that mean "try again later", not "this query is wrong": timeouts, overload, network trouble,
    /// replicas or parts temporarily unavailable. Names from ClickHouse's src/Common/ErrorCodes.cpp.
    /// </summary>
    /// <summary>TIMEOUT_EXCEEDED: a query ran past <c>max_execution_time</c>.</summary>
    public const int TimeoutExceeded = 159;

    private static readonly HashSet<int> TransientCodes =
    [
        159, // TIMEOUT_EXCEEDED
        202, // TOO_MANY_SIMULTANEOUS_QUERIES
        203, // NO_FREE_CONNECTION
        209, // SOCKET_TIMEOUT
        210, // NETWORK_ERROR
        242, // TABLE_IS_READ_ONLY (replica lost ZooKeeper for a while)
        252, // TOO_MANY_PARTS (inserts faster than merges)
        319, // UNKNOWN_STATUS_OF_INSERT
        999, // KEEPER_EXCEPTION
    ];

    public ClickHouseException()
        : this(0, "ClickHouse error", null, null)
    {
    }

    public ClickHouseException(string message)
        : this(0, message, null, null)
    {
    }

    public ClickHouseException(string message, Exception innerException)
        : this(0, message, null, innerException)
    {
    }

    public ClickHouseException(int code, string serverMessage, int? httpStatus, Exception? innerException)
        : base(code == 0 ? serverMessage : $"ClickHouse error {code}: {serverMessage}", innerException)
    {
        Code = code;
        ServerMessage = serverMessage;
        HttpStatus = httpStatus;
    }

    /// <summary>ClickHouse's error code; 0 when the failure happened before the server answered.</summary>
    public int Code { get; }

    public string ServerMessage { get; }

    public int? HttpStatus { get; }

    /// <summary>Whether retrying the same request later may succeed.</summary>
    public bool IsTransient =>
        TransientCodes.Contains(Code)
        || HttpStatus is 502 or 503 or 504
        || (Code == 0 && InnerException is HttpRequestException or TimeoutException or IOException);

    /// <summary>
    /// Reads an error body in either server format: <c>Code: 60, e.displayText() = DB::Exception: …</c> (18.x)
    /// or <c>Code: 60. DB::Exception: …</c> (current); a header code, when sent, wins.
    /// </summary>
    public static ClickHouseException FromResponse(int httpStatus, string? headerCode, string body)
    {
        var text = body.Trim();
        var code = 0;
        var match = CodePattern().Match(text);
        if (match.Success)
        {
            code = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            text = text[match.Length..].Trim();
        }

        if (int.TryParse(headerCode, NumberStyles.None, CultureInfo.InvariantCulture, out var fromHeader))
        {
            code = fromHeader;
        }

        const string Prefix = "e.displayText() = ";
        if (text.StartsWith(Prefix, StringComparison.Ordinal))
        {
            text = text[Prefix.Length..];
        }

        const string Suffix = ", e.what() = DB::Exception";
        if (text.EndsWith(Suffix, StringComparison.Ordinal))
        {
            text = text[..^Suffix.Length];
        }

        return new ClickHouseException(code, text.Length == 0 ? $"HTTP {httpStatus}" : text, httpStatus, null);
    }

    [GeneratedRegex(@"^Code:\s*(\d+)\s*[,.]")]
    private static partial Regex CodePattern();
}
