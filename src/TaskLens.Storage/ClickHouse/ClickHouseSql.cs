using System.Globalization;
using System.Text;

namespace TaskLens.Storage.ClickHouse;

/// <summary>
/// SQL text building. ClickHouse 18.16 has no server-side query parameters, so every value reaches a query as a
/// literal built here. Strings are sent as UTF-8; a lone UTF-16 surrogate, which UTF-8 cannot carry, becomes U+FFFD.
/// </summary>
public static class ClickHouseSql
{
    private const string HexDigits = "0123456789ABCDEF";

    /// <summary>
    /// A single-quoted string literal. Backslash and quote are escaped, and so is every control character (as
    /// <c>\xHH</c>), so the literal is one line and no input can end it early.
    /// </summary>
    public static string Literal(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var text = new StringBuilder(value.Length + 2);
        text.Append('\'');
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\':
                    text.Append(@"\\");
                    break;
                case '\'':
                    text.Append(@"\'");
                    break;
                case < ' ' or '\u007f':
                    text.Append(@"\x").Append(HexDigits[c >> 4]).Append(HexDigits[c & 0xF]);
                    break;
                default:
                    text.Append(c);
                    break;
            }
        }

        return text.Append('\'').ToString();
    }

    public static string Literal(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A time bucket in whole seconds for <c>intDiv(toUInt32(t), s) * s</c>: whole minutes, at least one.</summary>
    public static long BucketSeconds(TimeSpan bucket) => Math.Max(60, (long)bucket.TotalMinutes * 60);

    public static string Literal(ulong value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A backquoted identifier; backquote and backslash are escaped.</summary>
    public static string Identifier(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return "`" + name.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("`", @"\`", StringComparison.Ordinal) + "`";
    }

    /// <summary><c>unhex('…')</c> for raw bytes such as trace ids.</summary>
    public static string HexLiteral(ReadOnlySpan<byte> bytes) => $"unhex('{Convert.ToHexString(bytes)}')";

    /// <summary>Letters, digits and underscores, not starting with a digit: safe unquoted anywhere.</summary>
    public static bool IsPlainIdentifier(string? name)
    {
        if (string.IsNullOrEmpty(name) || char.IsAsciiDigit(name[0]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }

        return true;
    }
}
