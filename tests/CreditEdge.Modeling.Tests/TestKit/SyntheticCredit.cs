using System.Globalization;
using System.Text;

namespace CreditEdge.Modeling.Tests.TestKit;

/// <summary>
/// Generated credit data with a known logistic relationship, and a matching dataset schema: the tests need no real data.
/// Columns: ID (identifier), INCOME (numeric), AGE (whole numeric), REGION (categorical N/S/E/W), GENDER (protected),
/// DELAYS (whole numeric), DEFAULTED (label, 1 = bad). Test split: ID % 5 == 0.
/// </summary>
public static class SyntheticCredit
{
    public const string Header = "ID,INCOME,AGE,REGION,GENDER,DELAYS,DEFAULTED";

    public static readonly string[] Regions = ["N", "S", "E", "W"];

    /// <summary>Writes <paramref name="rows"/> rows; the probability of default rises with delays and falls with income.</summary>
    /// <param name="shifted">A region where the relationship differs: delays weigh less, region E weighs against, a higher base rate.</param>
    public static string WriteData(string path, int rows, int seed = 7, bool shifted = false)
    {
        var random = new Random(seed);
        var text = new StringBuilder().AppendLine(Header);
        for (var id = 1; id <= rows; id++)
        {
            var income = Math.Round(20000 + (random.NextDouble() * 80000));
            var age = random.Next(18, 75);
            var region = random.Next(Regions.Length);
            var gender = random.Next(2) == 0 ? "M" : "F";
            var delays = random.Next(0, 6);
            var logit = shifted
                ? -0.2 - (0.00002 * (income - 60000)) + (0.2 * (delays - 2)) + (0.04 * (age - 45)) - (region == 2 ? 0.8 : 0)
                : -1.0 - (0.00004 * (income - 60000)) + (0.6 * (delays - 2)) - (0.02 * (age - 45)) + (region == 2 ? 0.8 : 0);
            var bad = random.NextDouble() < 1 / (1 + Math.Exp(-logit)) ? 1 : 0;
            text.AppendLine(CultureInfo.InvariantCulture, $"{id},{income:F1},{age},{Regions[region]},{gender},{delays},{bad}");
        }

        File.WriteAllText(path, text.ToString());
        return path;
    }

    /// <summary>The schema JSON; <paramref name="edit"/> may change it to provoke errors.</summary>
    public static string SchemaJson(Func<string, string>? edit = null)
    {
        const string json = """
            {
              "name": "synthetic-credit",
              "delimiter": ",",
              "header": true,
              "split": { "rule": "identifierModulo", "modulus": 5, "remainder": 0 },
              "columns": [
                { "name": "ID", "role": "identifier" },
                { "name": "INCOME", "role": "numeric", "min": 0, "max": 1000000, "description": "Yearly income" },
                { "name": "AGE", "role": "numeric", "min": 18, "max": 120, "wholeNumber": true, "description": "Age in years" },
                { "name": "REGION", "role": "categorical", "codes": ["N", "S", "E", "W"], "description": "Region" },
                { "name": "GENDER", "role": "protected" },
                { "name": "DELAYS", "role": "numeric", "min": 0, "max": 24, "wholeNumber": true, "description": "Late payments", "reasonText": "Late payments (DELAYS)" },
                { "name": "DEFAULTED", "role": "label", "bad": "1", "good": "0" }
              ]
            }
            """;
        return edit is null ? json : edit(json);
    }

    public static string WriteSchema(string path, Func<string, string>? edit = null)
    {
        File.WriteAllText(path, SchemaJson(edit));
        return path;
    }
}
