using CreditEdge.Core.Policy;
using CreditEdge.Core.Schema;

namespace CreditEdge.Core.Packages;

/// <summary>
/// Checks the texts a manifest carries for people — each feature's <c>label</c>, <c>unit</c> and <c>codeLabels</c>, each
/// reason's <c>applicantText</c>, <c>applicantTextHigh</c> and <c>applicantTextLow</c> — by the rules of
/// <see cref="DisplayText"/>; every problem names the feature or reason it concerns. A package that fails is refused at
/// load with check <c>texts</c>.
/// </summary>
public static class ManifestTexts
{
    public static IReadOnlyList<string> Problems(IReadOnlyList<FeatureDefinition> features, IReadOnlyList<ReasonCode> reasons)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(reasons);
        var problems = new List<string>();
        var kinds = new Dictionary<string, FeatureKind>(StringComparer.Ordinal);
        foreach (var f in features)
        {
            kinds.TryAdd(f.Name, f.Kind);
            var where = $"feature '{f.Name}'";
            Check(problems, where, "label", f.Label, DisplayText.MaxLabelLength);
            if (f.Unit is not null)
            {
                if (f.Kind != FeatureKind.Numeric)
                {
                    problems.Add($"{where} is categorical; 'unit' applies to numeric features only");
                }
                else
                {
                    Check(problems, where, "unit", f.Unit, DisplayText.MaxUnitLength);
                }
            }

            if (f.CodeLabels is { } codeLabels)
            {
                if (f.Kind != FeatureKind.Categorical)
                {
                    problems.Add($"{where} is numeric; 'codeLabels' apply to categorical features only");
                    continue;
                }

                foreach (var (code, meaning) in codeLabels)
                {
                    if (f.IndexOfCode(code) < 0)
                    {
                        problems.Add($"{where}: 'codeLabels' names code '{Shorten(code)}', which is not one of its codes ({string.Join(", ", f.Codes ?? [])})");
                    }
                    else
                    {
                        Check(problems, where, $"codeLabels['{code}']", meaning, DisplayText.MaxCodeLabelLength, optional: false);
                    }
                }
            }
        }

        foreach (var r in reasons)
        {
            var where = $"reason '{r.Code}' ({r.Feature})";
            Check(problems, where, "applicantText", r.ApplicantText, DisplayText.MaxReasonTextLength);
            Check(problems, where, "applicantTextHigh", r.ApplicantTextHigh, DisplayText.MaxReasonTextLength);
            Check(problems, where, "applicantTextLow", r.ApplicantTextLow, DisplayText.MaxReasonTextLength);
            if ((r.ApplicantTextHigh is not null || r.ApplicantTextLow is not null)
                && kinds.TryGetValue(r.Feature, out var kind) && kind != FeatureKind.Numeric)
            {
                problems.Add($"{where}: 'applicantTextHigh' and 'applicantTextLow' apply to numeric features only (a code has no above or below)");
            }
        }

        return problems;
    }

    private static void Check(List<string> problems, string where, string field, string? value, int maxLength, bool optional = true)
    {
        if (value is null && optional)
        {
            return;
        }

        if (DisplayText.Problem(value, maxLength) is { } problem)
        {
            problems.Add($"{where}: '{field}' {problem}");
        }
    }

    private static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "…";
}
