using BenchmarkDotNet.Attributes;
using CreditEdge.Agent.Models;
using CreditEdge.Agent.Observability;
using CreditEdge.Agent.Options;
using CreditEdge.Agent.Rollout;
using CreditEdge.Agent.Scoring;
using CreditEdge.Core.Decisions;
using CreditEdge.Core.Policy;
using CreditEdge.Core.Privacy;
using CreditEdge.Core.Schema;
using CreditEdge.Inference;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CreditEdge.Benchmarks.Micro;

/// <summary>
/// The in-process decision path on a real golden request body (UTF-8), without storage, and its parts:
/// the full path (<see cref="ScoringService.Decide"/>), the same path with a 1-row call and no reasons, the engine alone
/// (22-row batch + policy + reasons), the request reader alone and building the <see cref="Decision"/> alone.
/// </summary>
public class DecisionPathBenchmarks : IDisposable
{
    private readonly Reason[] _reasons = new Reason[ReasonAttribution.MaxReasons];
    private readonly float[] _probability = new float[1];
    private readonly List<ValidationProblem> _problems = [];
    private bool _disposed;
    private LoadedModel _model = null!;
    private ModelHost _host = null!;
    private ScoringService _scoring = null!;
    private byte[] _body = [];
    private float[] _row = [];
    private float[] _applicant = [];

    [GlobalSetup]
    public void Setup()
    {
        _model = LoadedModel.Load(Repo.DefaultModel, "fp32");
        _host = new ModelHost(Options.Create(new AgentOptions()), Options.Create(new ModelsOptions()), new ModelSlots(Path.GetTempPath(), NullLogger<ModelSlots>.Instance), NullLogger<ModelHost>.Instance, TimeProvider.System);
        _scoring = new ScoringService(_host, new UnusedDecisionStore(), ApplicationIdProtector.Keep, new RolloutGate(NullLogger<RolloutGate>.Instance), new AgentMetrics(), Options.Create(new StorageOptions()), TimeProvider.System, NullLogger<ScoringService>.Instance);
        _body = GoldenBodies.All[0];
        _row = new float[_model.Package.Schema.Count];
        _applicant = GoldenRow.First(_model.Package);
    }

    [Benchmark(Description = "ScoringService.Decide (read + 22-row score + policy + reasons + Decision)")]
    public Decision? FullPath() => _scoring.Decide(_model.Engine, _body, null, out _);

    [Benchmark(Description = "same path, 1-row score, no reasons")]
    public Decision NoReasons()
    {
        var package = _model.Package;
        _problems.Clear();
        if (!ScoreRequestReader.TryRead(_body, package.Schema, _row, out var applicationId, _problems))
        {
            throw new InvalidOperationException("the golden request is invalid");
        }

        _model.Scorer.Predict(_row, _probability);
        double probability = _probability[0];
        var score = package.Policy.Score(probability);
        var now = TimeProvider.System.GetUtcNow();
        return new Decision
        {
            DecisionId = Guid.CreateVersion7(now).ToString("N"),
            ApplicationId = applicationId,
            Outcome = package.Policy.Decide(score),
            Probability = probability,
            Score = score,
            Reasons = [],
            Model = _model.Engine.Model,
            CreatedAt = now,
            Input = _row.ToArray(),
        };
    }

    [Benchmark(Description = "building the Decision alone (id, clock, reasons and input arrays)")]
    public Decision RecordOnly()
    {
        var now = TimeProvider.System.GetUtcNow();
        return new Decision
        {
            DecisionId = Guid.CreateVersion7(now).ToString("N"),
            ApplicationId = "bench-000",
            Outcome = Outcome.Approve,
            Probability = 0.08,
            Score = 640,
            Reasons = _reasons.AsSpan(0, 2).ToArray(),
            Model = _model.Engine.Model,
            CreatedAt = now,
            Input = _applicant.ToArray(),
        };
    }

    [Benchmark(Description = "DecisionEngine.Decide alone (22-row score + policy + reasons)")]
    public int EngineOnly() => _model.Engine.Decide(_applicant, _reasons).Score;

    [Benchmark(Description = "ScoreRequestReader.TryRead alone")]
    public bool ReaderOnly()
    {
        _problems.Clear();
        return ScoreRequestReader.TryRead(_body, _model.Package.Schema, _row, out _, _problems);
    }

    [GlobalCleanup]
    public void Cleanup() => Dispose();

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _host.Dispose();
        _model.Dispose();
        GC.SuppressFinalize(this);
    }
}
