using Microsoft.ML.Data;
using Microsoft.ML.Trainers;

namespace TaskLens.Detection.Runs;

/// <summary>
/// The principal subspace a trained ML.NET randomized-PCA model holds (its mean and top eigenvectors, read through
/// <see cref="PcaModelParameters.GetMean"/> and <see cref="PcaModelParameters.GetEigenVectors"/>), scored in plain code
/// the way ML.NET's <c>PcaModelParameters.Score</c> does: the part of x − mean off the subspace, relative to the length of
/// x − mean. Scoring through ML.NET meant a <c>PredictionEngine</c> per model (and its schema, cursors and emitted
/// getters compiled by the JIT on first use) and, for the training runs' own scores, a transform and an enumeration:
/// about 2,000 ML.NET methods compiled in a loaded run, for twelve multiply-adds a component. Immutable; thread-safe.
/// </summary>
internal sealed class PcaSubspace
{
    private readonly float[] _mean;
    private readonly float[][] _vectors;
    private readonly float[] _meanProjected;
    private readonly float _norm2Mean;

    private PcaSubspace(float[] mean, float[][] vectors)
    {
        _mean = mean;
        _vectors = vectors;
        _meanProjected = new float[vectors.Length];
        for (var i = 0; i < vectors.Length; i++)
        {
            _meanProjected[i] = Dot(vectors[i], mean);
        }

        _norm2Mean = Dot(mean, mean);
    }

    public int Rank => _vectors.Length;

    /// <summary>The subspace of a model trained on vectors of <paramref name="dimension"/> figures.</summary>
    public static PcaSubspace From(PcaModelParameters model, int dimension)
    {
        ArgumentNullException.ThrowIfNull(model);
        VBuffer<float> mean = default;
        model.GetMean(ref mean);
        VBuffer<float>[] vectors = [];
        model.GetEigenVectors(ref vectors, out var rank);
        var dense = new float[rank][];
        for (var i = 0; i < rank; i++)
        {
            dense[i] = Dense(vectors[i], dimension);
        }

        // A model trained without centring has an empty (all-zero) mean.
        return new PcaSubspace(Dense(mean, dimension), dense);
    }

    /// <summary>
    /// ML.NET's score of <paramref name="x"/>: sqrt((|x − mean|² − Σ (vᵢ·(x − mean))²) / |x − mean|²), both squared lengths
    /// formed as ML.NET forms them. Where ML.NET would give NaN — x exactly at the mean (0/0), or round-off making the
    /// part off the subspace negative — this gives 0: no error off the usual runs' shape.
    /// </summary>
    public float Score(ReadOnlySpan<float> x)
    {
        var norm2X = Dot(x, x) - (2 * Dot(_mean, x)) + _norm2Mean;
        if (norm2X <= 0)
        {
            return 0;
        }

        float norm2U = 0;
        for (var i = 0; i < _vectors.Length; i++)
        {
            var component = Dot(_vectors[i], x) - _meanProjected[i];
            norm2U += component * component;
        }

        return norm2X > norm2U ? MathF.Sqrt((norm2X - norm2U) / norm2X) : 0;
    }

    private static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        float sum = 0;
        for (var i = 0; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    private static float[] Dense(VBuffer<float> vector, int dimension)
    {
        var dense = new float[dimension];
        var values = vector.GetValues();
        if (vector.IsDense)
        {
            values[..Math.Min(values.Length, dimension)].CopyTo(dense);
            return dense;
        }

        var indices = vector.GetIndices();
        for (var i = 0; i < indices.Length; i++)
        {
            dense[indices[i]] = values[i];
        }

        return dense;
    }
}
