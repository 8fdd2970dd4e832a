namespace CreditEdge.Core.Schema;

/// <summary>
/// Can the requests the kiosks send today, written for the <c>active</c> schema, be filled for a <c>candidate</c> schema
/// without any kiosk changing? Every way a request valid today would be refused or change meaning tomorrow is listed:
/// a feature the candidate requires that the active one does not (added without a default, or made required); a feature
/// the active model takes that the candidate does not know (the kiosks still send it: "unknown field"); a kind changed
/// between numeric and categorical; a categorical code accepted today and removed; a numeric range narrowed; a whole
/// number rule added. Identifier and protected fields the kiosks send must stay known too.
/// </summary>
public static class SchemaCompatibility
{
    /// <summary>Check name of a refusal.</summary>
    public const string Check = "schema-incompatible";

    /// <summary>Every incompatibility, one line each; empty when the candidate takes every request the active one takes.</summary>
    public static IReadOnlyList<string> Problems(FeatureSchema active, FeatureSchema candidate)
    {
        ArgumentNullException.ThrowIfNull(active);
        ArgumentNullException.ThrowIfNull(candidate);
        var problems = new List<string>();
        foreach (var added in candidate.Features.Where(f => active.IndexOf(f.Name) < 0))
        {
            if (added.Required)
            {
                problems.Add($"'{added.Name}' is new and required, and today's requests do not carry it (give it a default or make it optional)");
            }
        }

        foreach (var now in active.Features)
        {
            var index = candidate.IndexOf(now.Name);
            if (index < 0)
            {
                if (!candidate.IsNonInput(now.Name))
                {
                    problems.Add($"'{now.Name}' is removed, and today's requests carry it (it would be refused as an unknown field)");
                }

                continue;
            }

            var next = candidate.Features[index];
            if (next.Kind != now.Kind)
            {
                problems.Add($"'{now.Name}' changes from {now.Kind.ToString().ToLowerInvariant()} to {next.Kind.ToString().ToLowerInvariant()}");
                continue;
            }

            if (next.Required && !now.Required)
            {
                problems.Add($"'{now.Name}' becomes required, and today's requests may leave it out");
            }

            if (now.Kind == FeatureKind.Categorical)
            {
                foreach (var code in (now.Codes ?? []).Where(c => next.IndexOfCode(c) < 0))
                {
                    problems.Add($"'{now.Name}' no longer accepts code '{code}'");
                }

                continue;
            }

            if (next.Min > (now.Min ?? double.NegativeInfinity))
            {
                problems.Add($"'{now.Name}' minimum rises from {Bound(now.Min)} to {Bound(next.Min)}");
            }

            if (next.Max < (now.Max ?? double.PositiveInfinity))
            {
                problems.Add($"'{now.Name}' maximum falls from {Bound(now.Max)} to {Bound(next.Max)}");
            }

            if (next.WholeNumber && !now.WholeNumber)
            {
                problems.Add($"'{now.Name}' must now be a whole number");
            }
        }

        foreach (var field in active.NonInputs.Where(f => candidate.IndexOf(f.Name) < 0 && !candidate.IsNonInput(f.Name)))
        {
            problems.Add($"'{field.Name}' ({field.Role.ToString().ToLowerInvariant()} field) is no longer known, and today's requests may carry it");
        }

        return problems;
    }

    private static string Bound(double? value) => value?.ToString("R", System.Globalization.CultureInfo.InvariantCulture) ?? "none";
}
