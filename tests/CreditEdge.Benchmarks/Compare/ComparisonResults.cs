using CreditEdge.Benchmarks.Micro;
using CreditEdge.Benchmarks.Report;

namespace CreditEdge.Benchmarks.Compare;

/// <summary>Everything one <c>compare</c> run measured, for the report and the chart.</summary>
public sealed record ComparisonResults
{
    public required CompareArgs Options { get; init; }

    public required MachineInfo Machine { get; init; }

    public required string CpuFlags { get; init; }

    public required string NodeVersion { get; init; }

    public string LoadAtEnd { get; set; } = "";

    public TimeSpan Elapsed { get; set; }

    public int ParityApplicants { get; set; }

    public IReadOnlyDictionary<string, MicroResult>? Micro { get; set; }

    public string? MicroFailure { get; set; }

    public List<StartSample> Starts { get; } = [];

    public List<ServerResults> Servers { get; } = [];

    public List<string> ProfileNotes { get; } = [];

    public ServerResults? Find(ServerKind kind, bool durable) => Servers.FirstOrDefault(s => s.Kind == kind && s.Durable == durable);
}
