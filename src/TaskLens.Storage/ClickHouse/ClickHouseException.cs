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

    /// <summary>
    /// Codes that say the data of this insert is wrong — a parse or type error, a value the column cannot hold, a
    /// column the table lacks — so the same insert can never succeed. Only these are "permanent": an unknown code is
    /// retried, as giving up on acknowledged data needs certainty.
    /// </summary>
    private static readonly HashSet<int> PermanentCodes =
    [
        6, // CANNOT_PARSE_TEXT
        16, // NO_SUCH_COLUMN_IN_TABLE
        20, // NUMBER_OF_COLUMNS_DOESNT_MATCH
        26, // CANNOT_PARSE_QUOTED_STRING
        27, // CANNOT_PARSE_INPUT_ASSERTION_FAILED
        32, // ATTEMPT_TO_READ_AFTER_EOF
        33, // CANNOT_READ_ALL_DATA
        36, // BAD_ARGUMENTS (e.g. an unexpected enum value)
        38, // CANNOT_PARSE_DATE
        41, // CANNOT_PARSE_DATETIME
        43, // ILLEGAL_TYPE_OF_ARGUMENT
        53, // TYPE_MISMATCH
        69, // ARGUMENT_OUT_OF_BOUND
        70, // CANNOT_CONVERT_TYPE
        72, // CANNOT_PARSE_NUMBER
        117, // INCORRECT_DATA
        128, // TOO_LARGE_ARRAY_SIZE
        131, // TOO_LARGE_STRING_SIZE
        190, // SIZES_OF_ARRAYS_DOESNT_MATCH
        395, // FUNCTION_THROW_IF_VALUE_IS_NON_ZERO (a check in a materialized view)
        691, // UNKNOWN_ELEMENT_OF_ENUM
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
        !IsPermanent
        && (TransientCodes.Contains(Code)
            || HttpStatus is 502 or 503 or 504
            || (Code == 0 && InnerException is HttpRequestException or TimeoutException or IOException));

    /// <summary>
    /// Whether the server refused this request's data for good, so sending the same rows again can never succeed.
    /// TOO_MANY_PARTS (252) is normally "inserts outpace merges, retry later", but with "Too many partitions for
    /// single INSERT block" it is about the rows themselves (times spread over more than
    /// <c>max_partitions_per_insert_block</c> partitions), and stays so however often it is sent.
    /// </summary>
    public bool IsPermanent =>
        PermanentCodes.Contains(Code)
        || (Code == 252 && ServerMessage.Contains("partitions for single INSERT block", StringComparison.OrdinalIgnoreCase));

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
