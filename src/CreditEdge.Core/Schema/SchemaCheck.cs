using System.Globalization;

namespace CreditEdge.Core.Schema;

/// <summary>Checks that a schema is usable before any request meets it; every problem is named.</summary>
internal static class SchemaCheck
{
    public static void ThrowIfInvalid(IReadOnlyList<FeatureDefinition> features, IReadOnlyList<NonInputField> nonInputs)
    {
        var problems = new List<string>();
        if (features.Count == 0)
        {
            problems.Add("the schema has no features");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var f in features)
        {
            if (string.IsNullOrWhiteSpace(f.Name))
            {
                problems.Add("a feature has no name");
                continue;
            }

            if (!seen.Add(f.Name))
            {
                problems.Add($"feature '{f.Name}' is defined twice");
            }

            if (f.Min is { } min && f.Max is { } max && min > max)
            {
                problems.Add($"feature '{f.Name}': min {min} is above max {max}");
            }

            if (f.Kind == FeatureKind.Categorical)
            {
                if (f.Codes is null || f.Codes.Count == 0)
                {
                    problems.Add($"categorical feature '{f.Name}' has no codes");
                }
                else if (f.Codes.Distinct(StringComparer.Ordinal).Count() != f.Codes.Count)
                {
                    problems.Add($"categorical feature '{f.Name}' lists a code twice");
                }

                if (!f.Required && (f.Default is null || f.IndexOfCode(f.Default) < 0))
                {
                    problems.Add($"optional categorical feature '{f.Name}' needs a default that is one of its codes");
                }
            }
            else if (f.Default is not null || !f.Required)
            {
                if (f.Default is null || !float.TryParse(f.Default, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) || !float.IsFinite(d))
                {
                    problems.Add(f.Required
                        ? $"feature '{f.Name}': default '{f.Default}' is not a finite number"
                        : $"optional numeric feature '{f.Name}' needs a finite numeric default");
                }
            }
        }

        foreach (var n in nonInputs)
        {
            if (!seen.Add(n.Name))
            {
                problems.Add($"field '{n.Name}' is both a feature and a non-input field, or listed twice");
            }
        }

        if (problems.Count > 0)
        {
            throw new InvalidSchemaException(problems);
        }
    }
}
