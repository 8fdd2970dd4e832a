using System.Security.Cryptography;
using System.Text.Json.Nodes;
using CreditEdge.Core.Packages;
using CreditEdge.Core.Packages.Signing;
using CreditEdge.TestKit;

namespace CreditEdge.Cli.Tests;

/// <summary><c>cedge model relabel</c>: new texts from a schema file, the model files and golden set byte for byte.</summary>
public sealed class ModelRelabelCommandTests : IDisposable
{
    private static readonly string[] Unchanged =
        ["model.fp32.onnx", "model.int8.onnx", "golden.jsonl", "metrics.json", "report.html", "roc.png"];

    private static readonly string[] InputOnlyKeys = ["min", "max", "wholeNumber", "label", "unit", "reasonText", "applicantText"];

    private readonly TempDirectory _temp = new("cedge-relabel");
    private readonly string _package;
    private readonly ModelManifest _original;

    public ModelRelabelCommandTests()
    {
        _package = PackageCopy.OfDefault(_temp.Combine("package"));
        _original = ModelPackage.ReadManifest(Path.Combine(_package, ModelPackage.ManifestFile));
    }

    public void Dispose() => _temp.Dispose();

    private string Out => _temp.Combine("relabelled");

    /// <summary>The shipped Taiwan schema, edited as JSON, written to the temp directory.</summary>
    private string Schema(Action<JsonObject>? edit = null)
    {
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "models", "schemas", "taiwan-credit.schema.json")))!.AsObject();
        edit?.Invoke(json);
        var path = _temp.Combine($"schema-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json.ToJsonString());
        return path;
    }

    private static JsonObject Column(JsonObject schema, string name) =>
        schema["columns"]!.AsArray().Single(c => (string?)c!["name"] == name)!.AsObject();

    private CedgeResult Relabel(string schema, string version = "9.0.0", string sequence = "100", string? outDir = null) =>
        Cedge.Run("model", "relabel", _package, "--schema", schema, "--out", outDir ?? Out, "--version", version, "--sequence", sequence);

    private static string Sha(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    private static string RefusalLine(CedgeResult result)
    {
        Assert.NotEqual(0, result.ExitCode);
        return Assert.Single(result.ErrorLines);
    }

    [Fact]
    public void Relabel_NewTexts_ModelFilesAndGoldenByteIdenticalAndManifestCarriesTheTexts()
    {
        var schema = Schema(s =>
        {
            Column(s, "CREDIT_LIMIT")["label"] = "Your card's limit";
            Column(s, "CREDIT_LIMIT")["applicantTextLow"] = "The limit on your card is lower than most approved applicants have";
            Column(s, "EDUCATION")["codeLabels"]!["1"] = "Postgraduate";
            Column(s, "AGE")["reasonText"] = "Applicant age (AGE)";
        });

        var result = Relabel(schema);

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.All(Unchanged, f => Assert.Equal(Sha(Path.Combine(_package, f)), Sha(Path.Combine(Out, f))));
        var package = ModelPackage.Load(Out);
        var m = package.Manifest;
        Assert.Equal((_original.Id, "9.0.0", 100L), (m.Id, m.Version, m.Sequence));
        Assert.Equal("Your card's limit", m.Features[0].Label);
        Assert.Equal("Postgraduate", m.Features[1].CodeLabels!["1"]);
        Assert.Equal("The limit on your card is lower than most approved applicants have", m.Reasons[0].ApplicantTextLow);
        Assert.Equal("Applicant age (AGE)", m.Reasons[2].Text);
        Assert.Equal(_original.Reasons.Select(r => r.Reference), m.Reasons.Select(r => r.Reference));
        Assert.Equal(_original.Variants, m.Variants);
        Assert.Equal(_original.Policy, m.Policy);
        Assert.Equal(_original.CreatedAt, m.CreatedAt);
        Assert.Equal(File.ReadAllText(schema), File.ReadAllText(Path.Combine(Out, "dataset.schema.json")));
        Assert.StartsWith($"# Model card: {m.Id} 9.0.0", File.ReadAllText(Path.Combine(Out, "MODEL_CARD.md")), StringComparison.Ordinal);
        Assert.Contains("(sequence 100)", result.Output, StringComparison.Ordinal);
        Assert.Contains("golden replayed (200 records)", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Relabel_SameInputsTwice_SameManifestBytes()
    {
        var schema = Schema();
        var second = _temp.Combine("second");

        Assert.Equal(0, Relabel(schema).ExitCode);
        Assert.Equal(0, Relabel(schema, outDir: second).ExitCode);

        Assert.Equal(Sha(Path.Combine(Out, "manifest.json")), Sha(Path.Combine(second, "manifest.json")));
    }

    [Fact]
    public void Relabel_SignedPackage_SignatureNotCarriedOverAndSaysSo()
    {
        var keys = _temp.Combine("keys");
        Assert.Equal(0, Cedge.Run("keys", "generate", "--out", keys).ExitCode);
        Assert.Equal(0, Cedge.Run("model", "sign", _package, "--key", Path.Combine(keys, SigningKeys.PrivateKeyFile)).ExitCode);

        var result = Relabel(Schema());

        Assert.Equal(0, result.ExitCode);
        Assert.False(File.Exists(Path.Combine(Out, ModelPackage.SignatureFile)));
        Assert.Contains("signature covers the old manifest and was not carried over", result.Output, StringComparison.Ordinal);
        var resigned = Cedge.Run("model", "sign", Out, "--key", Path.Combine(keys, SigningKeys.PrivateKeyFile));
        Assert.Equal(0, resigned.ExitCode);
        Assert.Equal(0, Cedge.Run("model", "verify", Out, "--trust", Path.Combine(keys, SigningKeys.PublicKeyFile)).ExitCode);
    }

    [Fact]
    public void Relabel_SchemaWithAnotherCode_RefusedNamingInputAndCodes()
    {
        var line = RefusalLine(Relabel(Schema(s =>
        {
            Column(s, "EDUCATION")["codes"]!.AsArray().Add("7");
        })));

        Assert.Contains("does not describe the package's inputs", line, StringComparison.Ordinal);
        Assert.Contains("input 'EDUCATION' has codes 0, 1, 2, 3, 4, 5, 6 in the package and 0, 1, 2, 3, 4, 5, 6, 7 in the schema", line, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Out));
    }

    [Fact]
    public void Relabel_SchemaWithAnotherRange_RefusedNamingInput()
    {
        var line = RefusalLine(Relabel(Schema(s => Column(s, "AGE")["max"] = 99)));

        Assert.Contains("input 'AGE' allows 18 … 120 (whole numbers) in the package and 18 … 99 (whole numbers) in the schema", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Relabel_SchemaWithAColumnRenamed_RefusedNamingBoth()
    {
        var line = RefusalLine(Relabel(Schema(s => Column(s, "BILL_AMT6")["name"] = "BILL_AMT7")));

        Assert.Contains("input(s) BILL_AMT6 are not inputs of the schema", line, StringComparison.Ordinal);
        Assert.Contains("input(s) BILL_AMT7 are not inputs of the package", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Relabel_SchemaWithAnInputMadeProtected_Refused()
    {
        var line = RefusalLine(Relabel(Schema(s =>
        {
            var age = Column(s, "AGE");
            foreach (var key in InputOnlyKeys)
            {
                age.Remove(key);
            }

            age["role"] = "protected";
        })));

        Assert.Contains("input(s) AGE are not inputs of the schema", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Relabel_SchemaWithBadText_RefusedNamingColumn()
    {
        var line = RefusalLine(Relabel(Schema(s => Column(s, "EDUCATION")["codeLabels"]!["9"] = "Doctorate")));

        Assert.Contains("column 'EDUCATION': 'codeLabels' names code '9'", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("9.0.0", "4", "is not above the package's sequence")]
    [InlineData("9.0.0", "3", "is not above the package's sequence")]
    [InlineData("1.1.1", "100", "is the package's own version")]
    [InlineData("9 0", "100", "is not a version")]
    public void Relabel_BadIdentity_Refused(string version, string sequence, string expected)
    {
        var line = RefusalLine(Relabel(Schema(), version, sequence));

        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Out));
    }

    [Fact]
    public void Relabel_WithoutVersionOrSequence_RefusedByTheParser()
    {
        var noVersion = Cedge.Run("model", "relabel", _package, "--schema", Schema(), "--out", Out, "--sequence", "100");
        var noSequence = Cedge.Run("model", "relabel", _package, "--schema", Schema(), "--out", Out, "--version", "9.0.0");

        Assert.NotEqual(0, noVersion.ExitCode);
        Assert.Contains("--version", noVersion.Error, StringComparison.Ordinal);
        Assert.NotEqual(0, noSequence.ExitCode);
        Assert.Contains("--sequence", noSequence.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Out));
    }

    [Fact]
    public void Relabel_OutputNotEmpty_RefusedAndLeftAlone()
    {
        Directory.CreateDirectory(Out);
        File.WriteAllText(Path.Combine(Out, "keep.txt"), "mine");

        var line = RefusalLine(Relabel(Schema()));

        Assert.Contains("is not empty", line, StringComparison.Ordinal);
        Assert.Equal(["keep.txt"], Directory.EnumerateFileSystemEntries(Out).Select(Path.GetFileName));
    }

    [Fact]
    public void Relabel_OutputIsThePackage_Refused()
    {
        var before = Sha(Path.Combine(_package, "manifest.json"));

        var line = RefusalLine(Relabel(Schema(), outDir: _package));

        Assert.Contains("--out is the package itself", line, StringComparison.Ordinal);
        Assert.Equal(before, Sha(Path.Combine(_package, "manifest.json")));
    }
}
