using System.Net;
using System.Text;
using System.Text.Json;
using CreditEdge.Core.Packages;
using CreditEdge.Core.Packages.Signing;
using CreditEdge.TestKit;

namespace CreditEdge.Agent.Tests;

/// <summary>The agent enforces package signatures when its trust directory holds a key, and only then.</summary>
public sealed class ModelSignatureTests : IDisposable
{
    private readonly TempDirectory _temp = new("agent-signature");

    public ModelSignatureTests()
    {
        Directory.CreateDirectory(DataDirectory);
        CopyDirectory(RepoPaths.DefaultModel, PackageDirectory);
    }

    private string DataDirectory => _temp.Combine("data");

    private string PackageDirectory => _temp.Combine("package");

    private string TrustDirectory => Path.Combine(DataDirectory, "trust");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task PostScore_TrustedKeyAndUnsignedPackage_Returns503NamingTheSignatureCheck()
    {
        using var key = SigningKeys.Generate();
        Trust(key);

        await using var agent = await RunningAgent.StartAsync(DataDirectory, $"--ModelDirectory={PackageDirectory}");
        var (status, detail) = await PostScoreAsync(agent);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains(SignatureChecks.Missing, detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostScore_TrustedKeyAndSignedPackage_Returns200()
    {
        using var key = SigningKeys.Generate();
        Trust(key);
        PackageSigner.Sign(PackageDirectory, key);

        await using var agent = await RunningAgent.StartAsync(DataDirectory, $"--ModelDirectory={PackageDirectory}");
        var (status, _) = await PostScoreAsync(agent);

        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task PostScore_PackageSignedByAnotherKey_Returns503Untrusted()
    {
        using var trusted = SigningKeys.Generate();
        using var other = SigningKeys.Generate();
        Trust(trusted);
        PackageSigner.Sign(PackageDirectory, other);

        await using var agent = await RunningAgent.StartAsync(DataDirectory, $"--ModelDirectory={PackageDirectory}");
        var (status, detail) = await PostScoreAsync(agent);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains(SignatureChecks.Untrusted, detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostScore_SignedPackageTamperedAfterSigning_Returns503()
    {
        using var key = SigningKeys.Generate();
        Trust(key);
        PackageSigner.Sign(PackageDirectory, key);
        File.AppendAllText(Path.Combine(PackageDirectory, "MODEL_CARD.md"), "\nedited after signing\n");

        await using var agent = await RunningAgent.StartAsync(DataDirectory, $"--ModelDirectory={PackageDirectory}");
        var (status, detail) = await PostScoreAsync(agent);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains(SignatureChecks.Content, detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostScore_ConfiguredTrustDirectoryElsewhere_IsEnforced()
    {
        using var key = SigningKeys.Generate();
        var trust = _temp.Combine("elsewhere");
        SigningKeys.WriteKeyPair(key, trust);

        await using var agent = await RunningAgent.StartAsync(DataDirectory, $"--ModelDirectory={PackageDirectory}", $"--Models:TrustDirectory={trust}");
        var (status, detail) = await PostScoreAsync(agent);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains(SignatureChecks.Missing, detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostScore_EmptyTrustDirectoryAndUnsignedPackage_Returns200()
    {
        Directory.CreateDirectory(TrustDirectory);

        await using var agent = await RunningAgent.StartAsync(DataDirectory, $"--ModelDirectory={PackageDirectory}");
        var (status, _) = await PostScoreAsync(agent);

        Assert.Equal(HttpStatusCode.OK, status);
    }

    private void Trust(System.Security.Cryptography.ECDsa key)
    {
        Directory.CreateDirectory(TrustDirectory);
        File.WriteAllText(Path.Combine(TrustDirectory, "operator.pem"), key.ExportSubjectPublicKeyInfoPem());
    }

    private static async Task<(HttpStatusCode Status, string Detail)> PostScoreAsync(RunningAgent agent)
    {
        using var content = new StringContent(GoldenSet.RequestBody(GoldenSet.Records[0]), Encoding.UTF8, "application/json");
        using var response = await agent.Client.PostAsync(new Uri("/v1/score", UriKind.Relative), content);
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.ServiceUnavailable)
        {
            return (response.StatusCode, body);
        }

        using var json = JsonDocument.Parse(body);
        return (response.StatusCode, json.RootElement.GetProperty("detail").GetString() ?? "");
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
        {
            // a signature committed with the default package would not match a copy this test re-signs or leaves unsigned
            if (Path.GetFileName(file) != ModelPackage.SignatureFile)
            {
                File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
            }
        }
    }
}
