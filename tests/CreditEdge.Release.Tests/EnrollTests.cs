using System.Security.Cryptography;
using System.Text.Json.Nodes;
using CreditEdge.TestKit;

namespace CreditEdge.Release.Tests;

/// <summary>
/// <c>enroll.sh --root SCRATCH</c> after install.sh: the device key, CSR and development-CA certificates it writes are the
/// ones the installed agent and a Mosquitto TLS listener (require_certificate, use_identity_as_username, as the shipped
/// creditedge.conf) accept; the signing trust anchor lands where the agent looks; and what it refuses.
/// </summary>
[Collection(SharedReleaseBuild.Name)]
public sealed class EnrollTests(ReleaseBuild build) : IDisposable
{
    private const string Device = "kiosk-enrol-1";
    private readonly ScratchRoot _root = new();
    private readonly TempDirectory _ca = new("dev-ca");

    public void Dispose()
    {
        _ca.Dispose();
        _root.Dispose();
    }

    [Fact]
    public async Task Enroll_WithDevCa_InstalledAgentConnectsToTheTlsBrokerAsItsDeviceId()
    {
        var release = await InstallAsync();
        var (exitCode, output) = await _root.RunScriptAsync(Path.Combine(release.Tree, "enroll.sh"), "--device-id", Device, "--dev-ca", _ca.Path);
        Assert.True(exitCode == 0, output);
        var tlsPort = LoopbackPort.Free();
        await using var broker = await MosquittoBroker.StartNewAsync(string.Join('\n',
            $"listener {tlsPort} 127.0.0.1",
            $"cafile {_ca.Combine("ca.crt")}",
            $"certfile {_ca.Combine("broker.crt")}",
            $"keyfile {_ca.Combine("broker.key")}",
            "require_certificate true",
            "use_identity_as_username true",
            "tls_version tlsv1.2"));
        var status = $"creditedge/devices/{Device}/status";
        await using var office = await MqttProbe.ConnectAsync(broker.Port, "office", subscribe: status);

        // the template's certificate paths are where enroll.sh writes; here they are inside the scratch root
        var mqtt = JsonNode.Parse(File.ReadAllText(_root.ConfigFile))!["Mqtt"]!;
        await using var agent = InstalledAgent.Start(_root,
            $"--Mqtt:Broker=mqtts://localhost:{tlsPort}",
            $"--Mqtt:CaFile={_root.In(mqtt["CaFile"]!.GetValue<string>())}",
            $"--Mqtt:ClientCertificateFile={_root.In(mqtt["ClientCertificateFile"]!.GetValue<string>())}",
            $"--Mqtt:ClientKeyFile={_root.In(mqtt["ClientKeyFile"]!.GetValue<string>())}");
        await agent.WaitReadyAsync(TimeSpan.FromSeconds(60));

        try
        {
            await office.WaitForAsync(m => m.Any(x => x.Topic == status && x.Payload.Contains("\"online\"", StringComparison.Ordinal)),
                TimeSpan.FromSeconds(30), $"the agent's online status on {status} over mqtts with the enrolled certificate");
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}\nagent output:\n{agent.Output}", ex);
        }
    }

    [Fact]
    public async Task Enroll_WithDevCa_WritesKeyCsrCertificatesWithTheirModesAndSetsTheDeviceId()
    {
        var release = await InstallAsync();

        var (exitCode, output) = await _root.RunScriptAsync(Path.Combine(release.Tree, "enroll.sh"), "--device-id", Device, "--dev-ca", _ca.Path);

        Assert.True(exitCode == 0, output);
        Assert.Equal(Device, JsonNode.Parse(File.ReadAllText(_root.ConfigFile))!["DeviceId"]!.GetValue<string>());
        Assert.Equal(Mode("750"), _root.Mode("/etc/creditedge/tls"));
        Assert.Equal(Mode("640"), _root.Mode("/etc/creditedge/tls/device.key"));
        Assert.Equal(Mode("644"), _root.Mode("/etc/creditedge/tls/device.crt"));
        Assert.Equal(Mode("600"), File.GetUnixFileMode(_ca.Combine("ca.key")));
        var subject = await Tools.RunCheckedAsync("openssl", "openssl", "x509", "-in", _root.In("/etc/creditedge/tls/device.crt"), "-noout", "-subject", "-ext", "extendedKeyUsage");
        Assert.Contains($"CN = {Device}", subject, StringComparison.Ordinal);
        Assert.Contains("TLS Web Client Authentication", subject, StringComparison.Ordinal);
        Assert.Contains("ASN1 OID: prime256v1", await Tools.RunCheckedAsync("openssl", "openssl", "pkey", "-in", _root.In("/etc/creditedge/tls/device.key"), "-noout", "-text"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enroll_Twice_KeepsTheDeviceKey()
    {
        var release = await InstallAsync();
        await _root.RunScriptAsync(Path.Combine(release.Tree, "enroll.sh"), "--device-id", Device);
        var key = File.ReadAllText(_root.In("/etc/creditedge/tls/device.key"));

        var (exitCode, output) = await _root.RunScriptAsync(Path.Combine(release.Tree, "enroll.sh"));

        Assert.True(exitCode == 0, output);
        Assert.Equal(key, File.ReadAllText(_root.In("/etc/creditedge/tls/device.key")));
        Assert.Contains($"CN={Device}", output, StringComparison.Ordinal); // the id now comes from agent.json
    }

    [Fact]
    public async Task Enroll_TemplateDeviceIdStillInAgentJson_Refuses()
    {
        var release = await InstallAsync();

        var (exitCode, output) = await _root.RunScriptAsync(Path.Combine(release.Tree, "enroll.sh"));

        Assert.Equal(1, exitCode);
        Assert.Contains("still has the template's DeviceId", output, StringComparison.Ordinal);
        Assert.False(File.Exists(_root.In("/etc/creditedge/tls/device.key")));
    }

    [Fact]
    public async Task Enroll_Trust_CopiesThePublicKeyIntoTheAgentsTrustDirectory()
    {
        var release = await InstallAsync();
        using var signing = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var publicKey = _ca.Combine("operator.pem");
        File.WriteAllText(publicKey, signing.ExportSubjectPublicKeyInfoPem());

        var (exitCode, output) = await _root.RunScriptAsync(Path.Combine(release.Tree, "enroll.sh"), "--device-id", Device, "--trust", publicKey);

        Assert.True(exitCode == 0, output);
        var installed = _root.In("/var/lib/creditedge/trust/operator.pem");
        Assert.Equal(signing.ExportSubjectPublicKeyInfoPem(), File.ReadAllText(installed));
        Assert.Equal(Mode("640"), File.GetUnixFileMode(installed));
    }

    [Fact]
    public async Task Enroll_TrustGivenAPrivateKey_RefusesToCopyIt()
    {
        var release = await InstallAsync();
        using var signing = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var privateKey = _ca.Combine("signing.key.pem");
        File.WriteAllText(privateKey, signing.ExportPkcs8PrivateKeyPem());

        var (exitCode, output) = await _root.RunScriptAsync(Path.Combine(release.Tree, "enroll.sh"), "--device-id", Device, "--trust", privateKey);

        Assert.Equal(1, exitCode);
        Assert.Contains("holds a private key", output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_root.In("/var/lib/creditedge/trust")));
    }

    private async Task<ReleaseArtefact> InstallAsync()
    {
        var release = await build.GetAsync("linux-x64");
        await _root.InstallAsync(release);
        return release;
    }

    private static UnixFileMode Mode(string octal) => (UnixFileMode)Convert.ToInt32(octal, 8);
}
