using System.Net;

namespace CreditEdge.Release.Tests;

/// <summary>
/// The agent as install.sh installed it from the tarball, run from the scratch root with the installed agent.json: it
/// gets ready and decides a golden applicant exactly — on x64, and on arm64 under qemu-aarch64 (the board's artefact).
/// </summary>
[Collection(SharedReleaseBuild.Name)]
public sealed class InstalledAgentTests(ReleaseBuild build) : IDisposable
{
    private readonly ScratchRoot _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task InstalledAgent_X64_ReadyAndScoresAGoldenApplicantExactly()
    {
        await _root.InstallAsync(await build.GetAsync("linux-x64"));
        await using var agent = InstalledAgent.Start(_root);

        await agent.WaitReadyAsync(TimeSpan.FromSeconds(60));
        var (status, body) = await agent.ScoreGoldenAsync(_root, "release-x64");

        AssertGoldenDecision(status, body);
        // made by the agent on first start, readable by its user only
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_root.DataDirectory, "storage.key")));
    }

    [Fact]
    public async Task InstalledAgent_Arm64UnderQemu_ReadyAndScoresAGoldenApplicantExactly()
    {
        var release = await build.GetAsync("linux-arm64");
        Assert.Equal("arm64", (await Tools.RunCheckedAsync("dpkg-deb", "dpkg", "--field", release.Deb, "Architecture")).Trim()); // one field: its value alone
        await _root.InstallAsync(release);
        await using var agent = InstalledAgent.StartUnderQemu(_root);

        await agent.WaitReadyAsync(TimeSpan.FromMinutes(4)); // .NET starts in ~20 s under qemu, and the variant trial is emulated too
        var (status, body) = await agent.ScoreGoldenAsync(_root, "release-arm64");

        AssertGoldenDecision(status, body);
    }

    private void AssertGoldenDecision(HttpStatusCode status, System.Text.Json.JsonElement body)
    {
        Assert.True(status == HttpStatusCode.OK, $"{(int)status}: {body}");
        var variant = body.GetProperty("model").GetProperty("variant").GetString()!;
        var expected = Golden.First(_root.In("/opt/creditedge/models/default")).Expected[variant];
        Assert.InRange(body.GetProperty("probability").GetDouble(), expected - 1e-5, expected + 1e-5);
    }
}
