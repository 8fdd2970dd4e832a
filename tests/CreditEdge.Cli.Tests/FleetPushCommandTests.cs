using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using CreditEdge.Core.Packages;
using CreditEdge.Core.Packages.Rollout;
using CreditEdge.Core.Packages.Signing;
using CreditEdge.Messaging;
using CreditEdge.TestKit;
using MQTTnet;
using MQTTnet.Protocol;

namespace CreditEdge.Cli.Tests;

/// <summary><c>cedge fleet push</c> and <c>cedge fleet rollback</c> against a real Mosquitto, read back as a device would.</summary>
public sealed class FleetPushCommandTests : IDisposable
{
    private const string Group = "branch-north";
    private readonly TempDirectory _temp = new("cedge-push");
    private readonly string _keys;
    private readonly string _package;

    public FleetPushCommandTests()
    {
        _keys = _temp.Combine("keys");
        Assert.Equal(0, Cedge.Run("keys", "generate", "--out", _keys).ExitCode);
        _package = PackageCopy.OfDefault(_temp.Combine("package"));
        Assert.Equal(0, Cedge.Run("model", "sign", _package, "--key", PrivateKey).ExitCode);
    }

    private string PrivateKey => Path.Combine(_keys, SigningKeys.PrivateKeyFile);

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Push_ToGroup_RetainedDesiredVerifiesAndRetainedChunksMakeTheArchive()
    {
        await using var broker = await MosquittoBroker.StartNewAsync();

        var result = await Task.Run(() => Cedge.Run("fleet", "push", _package, "--broker", broker.Url, "--group", Group, "--key", PrivateKey, "--chunk-size", "16384"));

        Assert.Equal(0, result.ExitCode);
        var retained = await RetainedAsync(broker.Port, Topics.GroupDesired(Group), "creditedge/packages/#");
        using var trusted = SigningKeys.LoadPublicKey(Path.Combine(_keys, SigningKeys.PublicKeyFile));
        var desired = DesiredModelReader.Read(retained[Topics.GroupDesired(Group)], [trusted]);
        Assert.Equal(DesiredTarget.ForGroup(Group), desired.Target);
        Assert.Equal(("taiwan-credit", "1.1.1", 4L), (desired.Package.Id, desired.Package.Version, desired.Package.Sequence));
        Assert.Equal(16384, desired.Package.ChunkSize);
        Assert.NotNull(desired.Shadow);
        Assert.NotNull(desired.Probation);
        Assert.InRange(desired.Sequence, DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeMilliseconds(), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

        var chunks = Enumerable.Range(0, desired.Package.Chunks.Count).Select(i => retained[Topics.PackageChunk(desired.Package.Sha256, i)]).ToArray();
        Assert.True(chunks.Length > 1, "the default package spans several 16 KiB chunks");
        Assert.Equal(desired.Package.Chunks, chunks.Select(c => Convert.ToHexStringLower(SHA256.HashData(c))));
        var archive = chunks.SelectMany(c => c).ToArray();
        Assert.Equal(desired.Package.Size, archive.Length);
        Assert.Equal(desired.Package.Sha256, Convert.ToHexStringLower(SHA256.HashData(archive)));
        Assert.Contains(desired.Package.Sha256, result.Output, StringComparison.Ordinal);

        // what a device rebuilds from the chunks is the signed package, byte for byte
        var staging = _temp.Combine("staging");
        PackageArchive.Extract(new MemoryStream(archive), staging, PackageArchiveLimits.Default);
        Assert.Equal("1.1.1", PackageVerifier.Verify(staging, [trusted]).Version);
    }

    [Fact]
    public async Task Push_PackageSignatureFails_RefusedOnOneLineAndNothingPublished()
    {
        await using var broker = await MosquittoBroker.StartNewAsync();
        await File.AppendAllTextAsync(Path.Combine(_package, "MODEL_CARD.md"), "\nedited after signing\n");

        var result = await Task.Run(() => Cedge.Run("fleet", "push", _package, "--broker", broker.Url, "--group", Group, "--key", PrivateKey));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("(signature-content)", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
        Assert.Empty(await RetainedAsync(broker.Port, "creditedge/#"));
    }

    [Fact]
    public async Task Push_PackageSignedByAnotherKey_RefusedUntrusted()
    {
        await using var broker = await MosquittoBroker.StartNewAsync();
        var otherKeys = _temp.Combine("other-keys");
        Assert.Equal(0, Cedge.Run("keys", "generate", "--out", otherKeys).ExitCode);

        var result = await Task.Run(() => Cedge.Run("fleet", "push", _package, "--broker", broker.Url, "--device", "kiosk-7", "--key", Path.Combine(otherKeys, SigningKeys.PrivateKeyFile)));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("(signature-untrusted)", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rollback_ToOlderPackage_HigherSequenceWithoutShadow()
    {
        await using var broker = await MosquittoBroker.StartNewAsync();
        var pushed = await Task.Run(() => Cedge.Run("fleet", "push", _package, "--broker", broker.Url, "--device", "kiosk-7", "--key", PrivateKey, "--sequence", "41"));
        Assert.Equal(0, pushed.ExitCode);

        var rolledBack = await Task.Run(() => Cedge.Run("fleet", "rollback", "--broker", broker.Url, "--device", "kiosk-7", "--to", "1.1.1", "--package", _package,
            "--key", PrivateKey, "--sequence", "42"));

        Assert.Equal(0, rolledBack.ExitCode);
        using var trusted = SigningKeys.LoadPublicKey(Path.Combine(_keys, SigningKeys.PublicKeyFile));
        var desired = DesiredModelReader.Read((await RetainedAsync(broker.Port, Topics.DeviceDesired("kiosk-7")))[Topics.DeviceDesired("kiosk-7")], [trusted]);
        Assert.Equal(42, desired.Sequence);
        Assert.Equal("1.1.1", desired.Package.Version);
        Assert.Null(desired.Shadow);
        Assert.Null(desired.Probation);
    }

    [Fact]
    public async Task Rollback_PackageOfAnotherVersion_RefusedOnOneLineAndNothingPublished()
    {
        await using var broker = await MosquittoBroker.StartNewAsync();

        var result = await Task.Run(() => Cedge.Run("fleet", "rollback", "--broker", broker.Url, "--group", Group, "--to", "1.0.0", "--package", _package, "--key", PrivateKey));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("holds taiwan-credit 1.1.1, not version 1.0.0", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
        Assert.Empty(await RetainedAsync(broker.Port, "creditedge/#"));
    }

    [Fact]
    public async Task Push_AsOfficeUserUnderShippedAcl_BrokerRefusalReportedOnOneLine()
    {
        await using var broker = await StartShippedAclBrokerAsync();

        var result = await Task.Run(() => Cedge.Run("fleet", "push", _package, "--broker", broker.Url, "--group", Group, "--key", PrivateKey,
            "--username", "office", "--password", "secret-for-tests"));

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.Contains("broker refused publish to 'creditedge/packages/", line, StringComparison.Ordinal);
        Assert.Contains("NotAuthorized", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Push_AsOperatorUnderShippedAcl_Succeeds()
    {
        await using var broker = await StartShippedAclBrokerAsync();

        var result = await Task.Run(() => Cedge.Run("fleet", "push", _package, "--broker", broker.Url, "--group", Group, "--key", PrivateKey,
            "--username", "operator", "--password", "secret-for-tests"));

        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public void Push_BothGroupAndDevice_UsageError()
    {
        var result = Cedge.Run("fleet", "push", _package, "--broker", "mqtt://127.0.0.1:1", "--group", Group, "--device", "kiosk-7", "--key", PrivateKey);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("exactly one of --group or --device", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public void Push_ChunkSizeTooSmall_UsageError()
    {
        var result = Cedge.Run("fleet", "push", _package, "--broker", "mqtt://127.0.0.1:1", "--group", Group, "--key", PrivateKey, "--chunk-size", "100");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--chunk-size must be within", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    /// <summary>The retained messages under <paramref name="filters"/> (raw bytes by topic), as a device subscribing now gets them.</summary>
    private static async Task<Dictionary<string, byte[]>> RetainedAsync(int port, params string[] filters)
    {
        var received = new ConcurrentDictionary<string, byte[]>(StringComparer.Ordinal);
        using var client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += e =>
        {
            if (e.ApplicationMessage.Retain)
            {
                received[e.ApplicationMessage.Topic] = e.ApplicationMessage.Payload.ToArray();
            }

            return Task.CompletedTask;
        };
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500).WithClientId($"reader-{Guid.NewGuid():N}").Build());
        var subscribe = new MqttClientSubscribeOptionsBuilder();
        foreach (var filter in filters)
        {
            subscribe.WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce);
        }

        await client.SubscribeAsync(subscribe.Build());
        var count = -1;
        while (count != received.Count)
        {
            count = received.Count;
            await Task.Delay(500); // retained messages arrive right after subscribing: wait until they stop coming
        }

        await client.DisconnectAsync();
        return new Dictionary<string, byte[]>(received, StringComparer.Ordinal);
    }

    private static async Task<MosquittoBroker> StartShippedAclBrokerAsync()
    {
        var broker = MosquittoBroker.CreateStopped(
            $"allow_anonymous false\npassword_file {{dir}}/passwd\nacl_file {Path.Combine(RepoPaths.Root, "provisioning", "mosquitto", "creditedge.acl")}");
        var passwd = Path.Combine(broker.Directory, "passwd");
        foreach (var user in new[] { "office", "operator" })
        {
            var start = new ProcessStartInfo("mosquitto_passwd") { UseShellExecute = false };
            foreach (var arg in File.Exists(passwd) ? ["-b", passwd, user, "secret-for-tests"] : new[] { "-b", "-c", passwd, user, "secret-for-tests" })
            {
                start.ArgumentList.Add(arg);
            }

            using var process = Process.Start(start)!;
            await process.WaitForExitAsync();
            Assert.Equal(0, process.ExitCode);
        }

        await broker.StartAsync();
        return broker;
    }
}
