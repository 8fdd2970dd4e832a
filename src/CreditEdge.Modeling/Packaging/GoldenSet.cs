using System.Text.Json;
using System.Text.Json.Nodes;
using CreditEdge.Core.Packages;
using CreditEdge.Modeling.Data;

namespace CreditEdge.Modeling.Packaging;

/// <summary>
/// <c>golden.jsonl</c>: test rows spread evenly over the test split, each with its request form, its raw input row
/// and the probability each variant gave it — the device replays them before it trusts a package.
/// </summary>
public static class GoldenSet
{
    public const string FileName = "golden.jsonl";

    /// <summary>Indices of <paramref name="count"/> rows spread evenly over <paramref name="rowCount"/> rows.</summary>
    public static IReadOnlyList<int> SelectRows(int rowCount, int count)
    {
        var take = Math.Min(count, rowCount);
        return Enumerable.Range(0, take).Select(i => (int)((long)i * rowCount / take)).ToArray();
    }

    /// <summary>One record per row of <paramref name="rows"/>; <paramref name="expected"/> holds, per variant, ORT's probability for each row.</summary>
    public static IReadOnlyList<GoldenRecord> Create(Dataset rows, IReadOnlyDictionary<string, float[]> expected)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(expected);
        var inputs = rows.Schema.Inputs;
        var records = new List<GoldenRecord>(rows.RowCount);
        for (var r = 0; r < rows.RowCount; r++)
        {
            var row = rows.Row(r);
            var features = new JsonObject();
            for (var f = 0; f < inputs.Count; f++)
            {
                features[inputs[f].Name] = inputs[f].Role == ColumnRole.Categorical
                    ? JsonValue.Create(inputs[f].Codes![(int)row[f]])
                    : JsonValue.Create((double)row[f]);
            }

            records.Add(new GoldenRecord
            {
                Features = features,
                Input = row.ToArray(),
                Expected = expected.ToDictionary(e => e.Key, e => (double)e.Value[r], StringComparer.Ordinal),
            });
        }

        return records;
    }

    /// <summary>Writes one compact JSON record per line (LF line ends).</summary>
    public static void Write(string path, IEnumerable<GoldenRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        using var stream = File.Create(path);
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false });
        foreach (var record in records)
        {
            JsonSerializer.Serialize(writer, record, PackageJson.Default.GoldenRecord);
            writer.Flush();
            writer.Reset();
            stream.WriteByte((byte)'\n');
        }
    }
}
