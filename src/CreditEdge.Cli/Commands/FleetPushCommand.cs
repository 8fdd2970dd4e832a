using System.CommandLine;
using CreditEdge.Core.Packages.Rollout;

namespace CreditEdge.Cli.Commands;

/// <summary>
/// <c>cedge fleet push DIR --broker URL (--group G | --device ID) --key FILE</c>: rolls a signed package out. Verifies its
/// signature, archives it deterministically, publishes the archive's chunks retained on the broker, then the signed,
/// retained desired-model message — with shadow and probation criteria the devices apply before and after switching.
/// </summary>
public static class FleetPushCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var directory = new Argument<DirectoryInfo>("DIR") { Description = "Signed package directory." };
        directory.AcceptExistingOnly();
        var push = new RolloutPush();
        var s = ShadowCriteria.Default;
        var p = ProbationCriteria.Default;
        var noShadow = new Option<bool>("--no-shadow") { Description = "Switch as soon as the package is verified, without a shadow trial." };
        var shadowDecisions = new Option<int>("--shadow-decisions") { Description = "Decisions scored in shadow before switching.", DefaultValueFactory = _ => s.Decisions };
        var shadowDuration = new Option<TimeSpan>("--shadow-max-duration") { Description = "Longest shadow trial.", DefaultValueFactory = _ => s.MaxDuration };
        var shadowAgreement = new Option<double>("--shadow-min-agreement") { Description = "Least share of equal outcomes (0-1).", DefaultValueFactory = _ => s.MinOutcomeAgreement };
        var shadowCorrelation = new Option<double>("--shadow-min-correlation") { Description = "Least score correlation (-1-1).", DefaultValueFactory = _ => s.MinScoreCorrelation };
        var shadowLatency = new Option<double>("--shadow-max-latency-ratio") { Description = "Most latency relative to the running model.", DefaultValueFactory = _ => s.MaxLatencyRatio };
        var noProbation = new Option<bool>("--no-probation") { Description = "No watch (and no automatic rollback) after the switch." };
        var probationDecisions = new Option<int>("--probation-decisions") { Description = "Decisions watched after the switch.", DefaultValueFactory = _ => p.Decisions };
        var probationDuration = new Option<TimeSpan>("--probation-duration") { Description = "Least time watched after the switch.", DefaultValueFactory = _ => p.Duration };
        var probationPsi = new Option<double>("--probation-max-psi") { Description = "Most score PSI against the package's reference.", DefaultValueFactory = _ => p.MaxScorePsi };
        var probationErrors = new Option<double>("--probation-max-error-rate") { Description = "Most share of failed scoring calls (0-1).", DefaultValueFactory = _ => p.MaxErrorRate };
        var probationLatency = new Option<double>("--probation-max-latency-ratio") { Description = "Most latency relative to the previous model.", DefaultValueFactory = _ => p.MaxLatencyRatio };

        var command = new Command("push", "Roll a signed package out to a group or device: chunks and signed desired model, retained on the broker.") { directory };
        push.AddTo(command);
        foreach (var option in new Option[] { noShadow, shadowDecisions, shadowDuration, shadowAgreement, shadowCorrelation, shadowLatency,
            noProbation, probationDecisions, probationDuration, probationPsi, probationErrors, probationLatency })
        {
            command.Options.Add(option);
        }

        command.SetAction((parseResult, cancellationToken) =>
        {
            ShadowCriteria? shadow = parseResult.GetValue(noShadow) ? null : new(parseResult.GetValue(shadowDecisions), parseResult.GetValue(shadowDuration),
                parseResult.GetValue(shadowAgreement), parseResult.GetValue(shadowCorrelation), parseResult.GetValue(shadowLatency));
            ProbationCriteria? probation = parseResult.GetValue(noProbation) ? null : new(parseResult.GetValue(probationDecisions), parseResult.GetValue(probationDuration),
                parseResult.GetValue(probationPsi), parseResult.GetValue(probationErrors), parseResult.GetValue(probationLatency));
            return push.RunAsync(parseResult, parseResult.GetRequiredValue(directory), expectVersion: null, shadow, probation, output, error, cancellationToken);
        });
        return command;
    }
}
