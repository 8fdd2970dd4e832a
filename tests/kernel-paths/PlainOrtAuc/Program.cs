// What any ONNX runtime computes for a package, with no CreditEdge code: every row of a CSV's test split
// (identifier % 5 == 0, as the Taiwan schema's split says) through each variant in a bare ORT session (1 thread),
// then AUC per variant and fp32 ↔ int8 |Δp|. Prints one Markdown table row.
// Usage: dotnet run -c Release --project tests/kernel-paths/PlainOrtAuc -- PACKAGE_DIR DATA.csv [LABEL]
using System.Globalization;
using System.Runtime.Intrinsics.X86;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;

var package = args[0];
var data = args[1];
var label = args.Length > 2 ? args[2] : "this CPU";
using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(package, "manifest.json")));
var features = manifest.RootElement.GetProperty("features").EnumerateArray().ToArray();
var lines = File.ReadAllLines(data);
var header = lines[0].Split(',');
var identifier = Array.IndexOf(header, "USER_ID");
var rows = new List<float>();
var labels = new List<int>();
foreach (var line in lines.Skip(1))
{
    var values = line.Split(',');
    if (long.Parse(values[identifier], CultureInfo.InvariantCulture) % 5 != 0)
    {
        continue;
    }

    foreach (var feature in features)
    {
        var raw = values[Array.IndexOf(header, feature.GetProperty("name").GetString())];
        if (feature.GetProperty("kind").GetString() == "categorical")
        {
            var codes = feature.GetProperty("codes").EnumerateArray().Select(c => c.GetString()).ToList();
            var code = ((int)double.Parse(raw, CultureInfo.InvariantCulture)).ToString(CultureInfo.InvariantCulture);
            rows.Add(codes.IndexOf(code));
        }
        else
        {
            rows.Add(float.Parse(raw, CultureInfo.InvariantCulture));
        }
    }

    labels.Add(int.Parse(values[^1], CultureInfo.InvariantCulture));
}

var count = labels.Count;
var input = rows.ToArray();
var scores = new Dictionary<string, float[]>();
foreach (var variant in new[] { "fp32", "int8" })
{
    using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
    using var session = new InferenceSession(Path.Combine(package, $"model.{variant}.onnx"), options);
    using var tensor = OrtValue.CreateTensorValueFromMemory(input, [count, features.Length]);
    using var runOptions = new RunOptions();
    using var outputs = session.Run(runOptions, ["features"], [tensor], ["probability"]);
    scores[variant] = outputs[0].GetTensorDataAsSpan<float>().ToArray();
}

var deltas = scores["fp32"].Zip(scores["int8"], (a, b) => Math.Abs(a - b)).ToArray();
var avx = Avx2.IsSupported ? (AvxVnni.IsSupported ? "AVX2 + AVX-VNNI" : "AVX2") : "no AVX2";
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"| {label} ({avx}) | {count} | {Auc(scores["fp32"]):F4} | {Auc(scores["int8"]):F4} | {deltas.Average():E2} | {deltas.Max():F4} |"));

// Mann–Whitney AUC with average ranks for ties
double Auc(float[] p)
{
    var order = Enumerable.Range(0, count).OrderBy(i => p[i]).ToArray();
    var ranks = new double[count];
    for (var i = 0; i < count;)
    {
        var j = i;
        while (j + 1 < count && p[order[j + 1]] == p[order[i]])
        {
            j++;
        }

        for (var k = i; k <= j; k++)
        {
            ranks[order[k]] = ((i + j) / 2.0) + 1;
        }

        i = j + 1;
    }

    double positives = labels.Count(l => l == 1), rankSum = Enumerable.Range(0, count).Where(i => labels[i] == 1).Sum(i => ranks[i]);
    return (rankSum - (positives * (positives + 1) / 2)) / (positives * (count - positives));
}
