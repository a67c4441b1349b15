using FsCheck.Xunit;
using TaskLens.Storage.ClickHouse;

namespace TaskLens.UnitTests.Storage;

public sealed class ClickHouseSqlTests
{
    [Theory]
    [InlineData("plain", "'plain'")]
    [InlineData("it's", @"'it\'s'")]
    [InlineData(@"back\slash", @"'back\\slash'")]
    [InlineData("'; DROP TABLE spans; --", @"'\'; DROP TABLE spans; --'")]
    [InlineData("nul\0tab\tnl\n", @"'nul\x00tab\x09nl\x0A'")]
    [InlineData("del\u007f", @"'del\x7F'")]
    [InlineData("ünïcødé ✓", "'ünïcødé ✓'")]
    public void Literal_EscapesQuoteBackslashAndControlCharacters(string value, string expected) =>
        Assert.Equal(expected, ClickHouseSql.Literal(value));

    /// <summary>The literal can only end at its last character: every quote inside is escaped, and nothing breaks the line.</summary>
    [Property(MaxTest = 1000)]
    public bool Literal_AnyString_IsOneClosedLiteral(string? value)
    {
        var literal = ClickHouseSql.Literal(value ?? string.Empty);
        if (literal.Length < 2 || literal[0] != '\'' || literal[^1] != '\'')
        {
            return false;
        }

        for (var i = 1; i < literal.Length - 1; i++)
        {
            var c = literal[i];
            if (c < ' ' || c == '\u007f')
            {
                return false;
            }

            if (c == '\\')
            {
                i++; // the escaped character
                if (i >= literal.Length - 1)
                {
                    return false;
                }
            }
            else if (c == '\'')
            {
                return false;
            }
        }

        return true;
    }

    [Theory]
    [InlineData("spans", "`spans`")]
    [InlineData("we`ird", @"`we\`ird`")]
    public void Identifier_IsBackquotedAndEscaped(string name, string expected) =>
        Assert.Equal(expected, ClickHouseSql.Identifier(name));

    [Theory]
    [InlineData("tasklens", true)]
    [InlineData("t_1", true)]
    [InlineData("1t", false)]
    [InlineData("a-b", false)]
    [InlineData("", false)]
    public void IsPlainIdentifier_AcceptsOnlyLettersDigitsUnderscore(string name, bool expected) =>
        Assert.Equal(expected, ClickHouseSql.IsPlainIdentifier(name));

    [Fact]
    public void HexLiteral_IsUnhexOfUppercaseHex() =>
        Assert.Equal("unhex('00FF10')", ClickHouseSql.HexLiteral([0, 255, 16]));
}
