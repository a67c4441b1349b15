using System.Text;

namespace TaskLens.Core.Incidents;

/// <summary>
/// TF-IDF over alert words, learnt online: words are split from camelCase and punctuation, lower-cased, plain numbers and
/// a few filler words dropped; a word's weight is its count × log((alerts seen + 1) / (alerts with it + 1)) + 1.
/// Vectors are compared by cosine. At most <paramref name="maxWords"/> distinct words are counted, and words longer
/// than <see cref="MaxWordLength"/> are dropped: alert texts are chosen by senders.
/// </summary>
public sealed class TextVectors(int maxWords = int.MaxValue)
{
    public const int MaxWordLength = 64;

    private static readonly HashSet<string> Filler = new(StringComparer.Ordinal)
    {
        "the", "a", "an", "is", "are", "of", "on", "in", "for", "to", "and", "or", "at", "by", "with", "from", "over", "above", "below",
        "alert", "alerts", "firing", "high", "low", "too", "rate",
    };

    private readonly Dictionary<string, int> _documentFrequency = new(StringComparer.Ordinal);
    private int _documents;

    public int WordCount => _documentFrequency.Count;

    /// <summary>Occurrences of new words not counted because <c>maxWords</c> were known.</summary>
    public long WordsNotLearnt { get; private set; }

    /// <summary>Counts the words of a new alert text (before <see cref="Vector"/> is asked of it).</summary>
    public void Learn(IEnumerable<string> words)
    {
        _documents++;
        foreach (var word in words.Distinct(StringComparer.Ordinal))
        {
            if (_documentFrequency.TryGetValue(word, out var count))
            {
                _documentFrequency[word] = count + 1;
            }
            else if (_documentFrequency.Count < maxWords)
            {
                _documentFrequency[word] = 1;
            }
            else
            {
                WordsNotLearnt++;
            }
        }
    }

    public Dictionary<string, double> Vector(IEnumerable<string> words)
    {
        var vector = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var word in words)
        {
            var idf = Math.Log((_documents + 1.0) / (_documentFrequency.GetValueOrDefault(word) + 1.0)) + 1;
            vector[word] = vector.GetValueOrDefault(word) + idf;
        }

        return vector;
    }

    public static double Cosine(IReadOnlyDictionary<string, double> a, IReadOnlyDictionary<string, double> b)
    {
        if (a.Count == 0 || b.Count == 0)
        {
            return 0;
        }

        var (small, large) = a.Count <= b.Count ? (a, b) : (b, a);
        double dot = 0;
        foreach (var (word, weight) in small)
        {
            if (large.TryGetValue(word, out var other))
            {
                dot += weight * other;
            }
        }

        return dot == 0 ? 0 : dot / (Norm(a) * Norm(b));
    }

    /// <summary>The words of an alert text: <c>CheckoutHTTP5xxErrors</c> → checkout, http, 5xx, errors.</summary>
    public static List<string> Words(string text)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var boundary = !char.IsLetterOrDigit(c)
                || (char.IsUpper(c) && current.Length > 0 && (char.IsLower(text[i - 1]) || (i + 1 < text.Length && char.IsLower(text[i + 1]) && char.IsUpper(text[i - 1]))))
                || (char.IsDigit(c) && current.Length > 0 && char.IsLetter(current[^1]));
            if (boundary)
            {
                Flush();
            }

            if (char.IsLetterOrDigit(c))
            {
                current.Append(char.ToLowerInvariant(c));
            }
        }

        Flush();
        return words;

        void Flush()
        {
            var word = current.ToString();
            if (word.Length > 1 && word.Length <= MaxWordLength && !word.All(char.IsDigit) && !Filler.Contains(word))
            {
                words.Add(word);
            }

            current.Clear();
        }
    }

    private static double Norm(IReadOnlyDictionary<string, double> v) => Math.Sqrt(v.Values.Sum(w => w * w));
}
