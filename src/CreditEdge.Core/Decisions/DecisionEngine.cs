using System.Buffers;
using CreditEdge.Core.Packages;
using CreditEdge.Core.Policy;
using CreditEdge.Core.Scoring;

namespace CreditEdge.Core.Decisions;

/// <summary>
/// The in-process decision path for one model: score the applicant and the reference-substituted rows in one
/// model call, turn the probability into points and an outcome, and pick the principal reasons.
/// </summary>
public sealed class DecisionEngine
{
    private const int StackLimitFloats = 2048;

    private readonly ModelPackage _package;
    private readonly IProbabilityModel _model;

    public DecisionEngine(ModelPackage package, IProbabilityModel model, ModelRef modelRef)
    {
        ArgumentNullException.ThrowIfNull(package);
        ArgumentNullException.ThrowIfNull(model);
        if (model.FeatureCount != package.Schema.Count)
        {
            throw new ModelPackageException("input-shape", $"the model takes {model.FeatureCount} features; the manifest lists {package.Schema.Count}");
        }

        _package = package;
        _model = model;
        Model = modelRef;
    }

    public ModelRef Model { get; }

    public ModelPackage Package => _package;

    /// <summary>Scores one validated row (manifest order) and writes its reasons; returns the verdict.</summary>
    public Verdict Decide(ReadOnlySpan<float> row, Span<Reason> reasons)
    {
        var attribution = _package.Attribution;
        var rows = attribution.BatchRows;
        var size = rows * attribution.FeatureCount;

        float[]? rented = null;
        Span<float> batch = size <= StackLimitFloats ? stackalloc float[size] : (rented = ArrayPool<float>.Shared.Rent(size)).AsSpan(0, size);
        Span<float> probabilities = rows <= 256 ? stackalloc float[rows] : new float[rows];
        try
        {
            attribution.FillBatch(row, batch);
            _model.Predict(batch, probabilities);
            double probability = probabilities[0];
            if (!(probability is >= 0 and <= 1))
            {
                throw new ModelPackageException("model-output", $"model '{Model.Id}' {Model.Version} returned probability {probability} for an applicant; no decision is made on it");
            }

            var reasonCount = attribution.Select(row, probabilities, reasons);
            var score = _package.Policy.Score(probability);
            return new Verdict(probability, score, _package.Policy.Decide(score), reasonCount);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<float>.Shared.Return(rented);
            }
        }
    }
}
