using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using TaskLens.Slack.Messages;

namespace TaskLens.UnitTests.Slack;

public sealed class SlackTextTests
{
    [Theory]
    [InlineData("<!channel> deploy", "&lt;!channel&gt; deploy")]
    [InlineData("<@U0123> & <#C1|x>", "&lt;@U0123&gt; &amp; &lt;#C1|x&gt;")]
    [InlineData("5 > 3 && 2 < 4", "5 &gt; 3 &amp;&amp; 2 &lt; 4")]
    [InlineData("plain @channel", "plain @channel")]
    public void Escape_ControlCharacters_BecomeEntities(string text, string expected) => Assert.Equal(expected, SlackText.Escape(text));

    [Property(MaxTest = 2000)]
    public bool Escape_AnyText_LeavesNoMarkupOrMention(string? text)
    {
        var escaped = SlackText.Escape(text ?? "");
        return !escaped.Contains('<', StringComparison.Ordinal) && !escaped.Contains('>', StringComparison.Ordinal)
            && escaped.Replace("&amp;", "", StringComparison.Ordinal).Replace("&lt;", "", StringComparison.Ordinal).Replace("&gt;", "", StringComparison.Ordinal)
                .Contains('&', StringComparison.Ordinal) == false;
    }

    [Property(MaxTest = 2000)]
    public Property Truncate_AnyEscapedText_FitsAndNeverSplitsAnEntityLinkOrSurrogatePair() =>
        Prop.ForAll(
            Gen.Elements("a", "b", " ", "&", "<", ">", ";", "😀", "é", "<!channel>", "&amp;").ListOf().Select(parts => string.Concat(parts)).ToArbitrary(),
            Gen.Choose(60, 400).ToArbitrary(),
            (text, max) =>
        {
            var more = SlackText.Link(new Uri("http://tasklens.example/incidents/inc-1"), "more");
            var input = SlackText.Escape(text) + " " + more;
            var cut = SlackText.Truncate(input, max, more);
            if (input.Length <= max)
            {
                return cut == input;
            }

            var kept = cut[..^("… " + more).Length];
            return cut.Length <= max
                && input.StartsWith(kept, StringComparison.Ordinal)
                && !kept.Contains('<', StringComparison.Ordinal)
                && (kept.LastIndexOf('&') is var amp && (amp < 0 || kept.IndexOf(';', amp) > amp))
                && !(kept.Length > 0 && char.IsHighSurrogate(kept[^1]));
        });

    [Fact]
    public void Truncate_LongText_EndsWithTheLinkWithinTheLimit()
    {
        var more = SlackText.Link(new Uri("http://localhost:8080/incidents/inc-1"), "more in TaskLens");
        var cut = SlackText.Truncate(new string('x', 5000), 3000, more);

        Assert.Equal(3000, cut.Length);
        Assert.EndsWith("… <http://localhost:8080/incidents/inc-1|more in TaskLens>", cut, StringComparison.Ordinal);
    }

    [Fact]
    public void Truncate_AtAnEntity_CutsBeforeIt()
    {
        var cut = SlackText.Truncate(new string('x', 8) + "&amp;" + new string('y', 20), 12, "L");

        Assert.Equal("xxxxxxxx… L", cut);
    }

    [Fact]
    public void Link_LabelAndUrl_CannotBreakOutOfTheLink()
    {
        Assert.Equal("<http://h/a%7Cb|x &lt;!here&gt;>", SlackText.Link(new Uri("http://h/a|b"), "x <!here>"));
    }
}
