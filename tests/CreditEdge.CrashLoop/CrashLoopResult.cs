using System.Globalization;
using System.Text;

namespace CreditEdge.CrashLoop;

/// <summary>The figures of one crash-loop run and the checks they pass or fail.</summary>
public sealed record CrashLoopResult
{
    public required int Seed { get; init; }

    public required int KillsPlanned { get; init; }

    public required int KillsSurvived { get; init; }

    public required int Acknowledged { get; init; }

    public required int Stored { get; init; }

    /// <summary>Acknowledged decisions found in ingest's file.</summary>
    public required int Ingested { get; init; }

    /// <summary>Lines in ingest's file (acknowledged or not: a decision stored just before a kill is synced without a 200).</summary>
    public required int FileLines { get; init; }

    public required int Duplicates { get; init; }

    public required int AuditExitCode { get; init; }

    public required string AuditOutput { get; init; }

    public required TimeSpan WallTime { get; init; }

    /// <summary>Each kill: when it came and how many decisions had been acknowledged by then.</summary>
    public required IReadOnlyList<string> KillLog { get; init; }

    /// <summary>What went wrong, precisely (missing ids, an agent that did not restart); empty when every check holds.</summary>
    public required IReadOnlyList<string> Problems { get; init; }

    public bool Passed => Problems.Count == 0;

    public string Summary()
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(c, $"seed               {Seed}");
        text.AppendLine(c, $"kills survived     {KillsSurvived} of {KillsPlanned}");
        text.AppendLine(c, $"acknowledged       {Acknowledged}");
        text.AppendLine(c, $"stored             {Stored} of {Acknowledged}");
        text.AppendLine(c, $"ingested           {Ingested} of {Acknowledged} ({FileLines} lines in the file)");
        text.AppendLine(c, $"duplicates         {Duplicates}");
        text.AppendLine(c, $"audit verify       exit {AuditExitCode}: {AuditOutput.Trim()}");
        text.AppendLine(c, $"wall time          {WallTime.TotalSeconds:F1} s");
        text.AppendLine(Passed ? "result             PASS" : "result             FAIL");
        foreach (var problem in Problems)
        {
            text.AppendLine(c, $"problem            {problem}");
        }

        return text.ToString();
    }
}
