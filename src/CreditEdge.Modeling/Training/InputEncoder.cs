using CreditEdge.Modeling.Data;

namespace CreditEdge.Modeling.Training;

/// <summary>
/// Turns a raw input row (manifest order) into the network's input vector: first every numeric feature standardized
/// with the training mean and standard deviation, in manifest order — money-like features (see <see cref="LogThreshold"/>)
/// first go through a signed log, sign(x)·ln(1 + |x|), so a few huge amounts neither dominate the fit nor stretch the
/// int8 range; then one one-hot block per categorical feature,
/// in manifest order (an unknown code index gives an all-zero block). The ONNX graph does exactly the same in float32.
/// </summary>
public sealed class InputEncoder
{
    private readonly int[] _numericIndex;
    private readonly float[] _mean;
    private readonly float[] _scale;
    private readonly int[] _categoricalIndex;
    private readonly int[] _codeCount;
    private readonly bool[] _compress;
    private readonly float[] _compressScale;

    /// <summary>A numeric feature whose largest training |value| reaches this is treated as an amount and compressed first.</summary>
    public const double CompressThreshold = 1000;

    public InputEncoder(IReadOnlyList<int> numericIndex, IReadOnlyList<float> mean, IReadOnlyList<float> scale,
        IReadOnlyList<int> categoricalIndex, IReadOnlyList<int> codeCount, IReadOnlyList<bool>? compress = null, IReadOnlyList<float>? compressScale = null)
    {
        ArgumentNullException.ThrowIfNull(numericIndex);
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(scale);
        ArgumentNullException.ThrowIfNull(categoricalIndex);
        ArgumentNullException.ThrowIfNull(codeCount);
        if (mean.Count != numericIndex.Count || scale.Count != numericIndex.Count || codeCount.Count != categoricalIndex.Count)
        {
            throw new ArgumentException("one mean and scale per numeric feature and one code count per categorical feature are needed");
        }

        _numericIndex = [.. numericIndex];
        _mean = [.. mean];
        _scale = [.. scale];
        _categoricalIndex = [.. categoricalIndex];
        _codeCount = [.. codeCount];
        _compress = compress is null ? new bool[_numericIndex.Length] : [.. compress];
        _compressScale = compressScale is null ? Enumerable.Repeat(1f, _numericIndex.Length).ToArray() : [.. compressScale];
        if (_compress.Length != _numericIndex.Length || _compressScale.Length != _numericIndex.Length || _compressScale.Any(c => !(c > 0)))
        {
            throw new ArgumentException("one compress flag and one positive compress scale per numeric feature are needed");
        }

        InputWidth = _numericIndex.Length + _categoricalIndex.Length;
        EncodedWidth = _numericIndex.Length + _codeCount.Sum();
    }

    /// <summary>Raw features per row.</summary>
    public int InputWidth { get; }

    /// <summary>Network inputs per row (numeric count + total number of codes).</summary>
    public int EncodedWidth { get; }

    /// <summary>Positions of the numeric features in the raw row.</summary>
    public IReadOnlyList<int> NumericIndex => _numericIndex;

    public IReadOnlyList<float> Mean => _mean;

    /// <summary>Standard deviations (1 where a feature is constant).</summary>
    public IReadOnlyList<float> Scale => _scale;

    /// <summary>Positions of the categorical features in the raw row.</summary>
    public IReadOnlyList<int> CategoricalIndex => _categoricalIndex;

    public IReadOnlyList<int> CodeCount => _codeCount;

    /// <summary>Per numeric feature: true when it goes through x / (|x| + c) before standardization.</summary>
    public IReadOnlyList<bool> Compress => _compress;

    /// <summary>Per numeric feature: the c of the compression (1 where unused).</summary>
    public IReadOnlyList<float> CompressScale => _compressScale;

    /// <summary>x / (|x| + c) in float32, as the graph computes it (Abs, Add, Div: exactly rounded, so batch-invariant).</summary>
    public static float Compressed(float x, float c) => x / (MathF.Abs(x) + c);

    /// <summary>Learns means and standard deviations from <paramref name="train"/>.</summary>
    public static InputEncoder Fit(Dataset train)
    {
        ArgumentNullException.ThrowIfNull(train);
        var inputs = train.Schema.Inputs;
        var numeric = new List<int>();
        var categorical = new List<int>();
        var codes = new List<int>();
        for (var i = 0; i < inputs.Count; i++)
        {
            if (inputs[i].Role == ColumnRole.Categorical)
            {
                categorical.Add(i);
                codes.Add(inputs[i].Codes!.Count);
            }
            else
            {
                numeric.Add(i);
            }
        }

        var mean = new float[numeric.Count];
        var scale = new float[numeric.Count];
        var log = new bool[numeric.Count];
        var c = Enumerable.Repeat(1f, numeric.Count).ToArray();
        for (var k = 0; k < numeric.Count; k++)
        {
            var largest = 0.0;
            for (var r = 0; r < train.RowCount; r++)
            {
                largest = Math.Max(largest, Math.Abs(train.Row(r)[numeric[k]]));
            }

            log[k] = largest >= CompressThreshold;
            if (log[k])
            {
                var magnitudes = Enumerable.Range(0, train.RowCount).Select(r => (double)Math.Abs(train.Row(r)[numeric[k]])).Order().ToArray();
                var median = (float)Evaluation.Quantiles.Of(magnitudes, 0.5);
                c[k] = median > 0 ? median : (float)Math.Max(1, magnitudes.Average());
            }

            double sum = 0, sumSquares = 0;
            for (var r = 0; r < train.RowCount; r++)
            {
                var raw = train.Row(r)[numeric[k]];
                double v = log[k] ? Compressed(raw, c[k]) : raw;
                sum += v;
                sumSquares += v * v;
            }

            var m = sum / train.RowCount;
            var variance = Math.Max(0, (sumSquares / train.RowCount) - (m * m));
            var sd = Math.Sqrt(variance);
            mean[k] = (float)m;
            scale[k] = sd > 1e-6 * Math.Max(1, Math.Abs(m)) ? (float)sd : 1f;
        }

        return new InputEncoder(numeric, mean, scale, categorical, codes, log, c);
    }

    /// <summary>Writes the network input for <paramref name="raw"/> into <paramref name="encoded"/> (length <see cref="EncodedWidth"/>).</summary>
    public void Encode(ReadOnlySpan<float> raw, Span<double> encoded)
    {
        if (raw.Length != InputWidth || encoded.Length != EncodedWidth)
        {
            throw new ArgumentException($"expected {InputWidth} raw values and room for {EncodedWidth} encoded ones");
        }

        for (var k = 0; k < _numericIndex.Length; k++)
        {
            // float32 arithmetic, as the graph's Sub and Div do it
            var value = raw[_numericIndex[k]];
            var centered = (_compress[k] ? Compressed(value, _compressScale[k]) : value) - _mean[k];
            encoded[k] = centered / _scale[k];
        }

        var at = _numericIndex.Length;
        for (var c = 0; c < _categoricalIndex.Length; c++)
        {
            var value = raw[_categoricalIndex[c]];
            for (var code = 0; code < _codeCount[c]; code++)
            {
                encoded[at + code] = value == code ? 1 : 0;
            }

            at += _codeCount[c];
        }
    }
}
