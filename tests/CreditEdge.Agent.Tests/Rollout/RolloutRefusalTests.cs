using System.Formats.Tar;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CreditEdge.Core.Packages;
using CreditEdge.Core.Packages.Rollout;
using CreditEdge.Core.Packages.Signing;
using CreditEdge.Messaging.Rollout;
using CreditEdge.TestKit;

namespace CreditEdge.Agent.Tests.Rollout;

/// <summary>One device on a real broker, and every push it must refuse — each by its own check — while the installed model keeps serving.</summary>
public sealed class RolloutRefusalFixture : IAsyncLifetime, IDisposable
{
    public const string DeviceId = "kiosk-refusals";

    public OtaRig Rig { get; private set; } = null!;

    public RunningAgent Agent { get; private set; } = null!;

    private readonly TempDirectory _data = new("ota-refusals");
    private long _sequence = 1_000;

    /// <summary>A sequence above every one used so far.</summary>
    public long NextSequence() => Interlocked.Add(ref _sequence, 10);

    public async Task InitializeAsync()
    {
        Rig = await OtaRig.StartAsync();
        Agent = await RunningAgent.StartAsync(_data.Path, Rig.AgentArgs(_data.Path, DeviceId, "--Transfer:MaxPackageBytes=4000000"));
    }

    public async Task DisposeAsync()
    {
        await Agent.DisposeAsync();
        await Rig.DisposeAsync();
    }

    public void Dispose() => _data.Dispose();
}

public sealed class RolloutRefusalTests(RolloutRefusalFixture fixture) : IClassFixture<RolloutRefusalFixture>
{
    private OtaRig Rig => fixture.Rig;

    [Fact]
    public async Task Push_DesiredSignatureBroken_RejectedDesiredSignature()
    {
        var package = Rig.MakePackage("bad-signature", "2.0.1", 10);
        await AssertRefusedAsync(seq => Rig.PushAsync(package, seq, sign: d =>
        {
            var message = DesiredModelSigner.Sign(d, Rig.Key);
            message[^5] ^= 0x40; // inside the signature
            return message;
        }), DesiredModelChecks.Signature, sequenceInEvent: false);
    }

    [Fact]
    public async Task Push_SignedByUnknownKey_RejectedDesiredUntrusted()
    {
        var package = Rig.MakePackage("unknown-key", "2.0.2", 10);
        using var stranger = SigningKeys.Generate();
        await AssertRefusedAsync(seq => Rig.PushAsync(package, seq, sign: d => DesiredModelSigner.Sign(d, stranger)), DesiredModelChecks.Untrusted, sequenceInEvent: false);
    }

    [Fact]
    public async Task Push_ManifestByteChangedAfterSigning_RejectedSignatureContent()
    {
        var package = Rig.MakePackage("manifest-byte", "2.0.3", 10);
        var manifest = Path.Combine(package, ModelPackage.ManifestFile);
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("\"2.0.3\"", "\"2.0.4\"", StringComparison.Ordinal));
        await AssertRefusedAsync(seq => Rig.PushAsync(package, seq), SignatureChecks.Content);
    }

    [Fact]
    public async Task Push_ModelByteChangedAfterSigning_RejectedSignatureContent()
    {
        var package = Rig.MakePackage("model-byte", "2.0.5", 10);
        var model = Path.Combine(package, "model.fp32.onnx");
        var bytes = File.ReadAllBytes(model);
        bytes[^3] ^= 0x01;
        File.WriteAllBytes(model, bytes);
        await AssertRefusedAsync(seq => Rig.PushAsync(package, seq), SignatureChecks.Content);
    }

    [Fact]
    public async Task Push_LastChunkCutShort_RejectedChunkHash()
    {
        var package = Rig.MakePackage("truncated", "2.0.6", 10);
        await AssertRefusedAsync(seq => Rig.PushAsync(package, seq, chunkBytes: (i, chunk) => i == 0 ? chunk[..(chunk.Length / 2)] : chunk), "chunk-hash");
    }

    [Fact]
    public async Task Push_LowerSequenceAfterAnAcceptedOne_RejectedSequenceDowngrade()
    {
        var accepted = await PushAcceptedAsync("accepted-for-downgrade", "2.1.0");
        var older = Rig.MakePackage("downgrade", "2.0.7", 10);

        var pushed = await Rig.PushAsync(older, accepted.Desired.Sequence - 5);
        var outcome = await Rig.WaitForOutcomeAsync(RolloutRefusalFixture.DeviceId, pushed.Desired.Sequence);

        Assert.Equal((ModelEvents.Rejected, "sequence-downgrade"), (outcome.Event, outcome.Check));
        await AssertStillServesAsync("2.1.0");
    }

    [Fact]
    public async Task Push_CurrentDesiredMessageReplayed_RejectedSequenceReplay()
    {
        var accepted = await PushAcceptedAsync("accepted-for-replay", "2.2.0");
        var before = Rig.Events.Count(e => e.Sequence == accepted.Desired.Sequence && e.Event == ModelEvents.Rejected);

        await Rig.PublishAsync(Messaging.Topics.GroupDesired(OtaRig.Group), accepted.Message);
        var replay = await Rig.WaitForEventAsync(RolloutRefusalFixture.DeviceId, accepted.Desired.Sequence, e => e.Event == ModelEvents.Rejected, "replay refusal");

        Assert.Equal("sequence-replay", replay.Check);
        Assert.Equal(0, before);
        await AssertStillServesAsync("2.2.0");
    }

    [Fact]
    public async Task Push_SchemaDropsACodeTheKiosksSend_RejectedSchemaIncompatible()
    {
        var package = Rig.MakePackage("schema", "2.0.8", 10, dir => PackageForge.EditManifest(dir, m =>
        {
            var feature = m["features"]!.AsArray().First(f => f!["kind"]!.GetValue<string>() == "categorical")!;
            var codes = feature["codes"]!.AsArray();
            var dropped = codes[^1]!.GetValue<string>();
            codes.RemoveAt(codes.Count - 1);
            feature["codeLabels"]?.AsObject().Remove(dropped); // a meaning for a code the package no longer has is refused at load (check texts)
        }));
        var outcome = await AssertRefusedAsync(seq => Rig.PushAsync(package, seq), "schema-incompatible");
        Assert.Contains("no longer accepts code", outcome.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Push_GoldenExpectationsWrong_RejectedGolden()
    {
        var package = Rig.MakePackage("golden", "2.0.9", 10, dir =>
        {
            var golden = Path.Combine(dir, "golden.jsonl");
            var lines = File.ReadAllLines(golden);
            var first = JsonNode.Parse(lines[0])!;
            foreach (var (name, value) in first["expected"]!.AsObject().ToList())
            {
                first["expected"]![name] = value!.GetValue<double>() + 0.01;
            }

            lines[0] = first.ToJsonString();
            File.WriteAllLines(golden, lines);
        });
        await AssertRefusedAsync(seq => Rig.PushAsync(package, seq), "golden");
    }

    [Fact]
    public async Task Push_ArchiveOverTheDeviceLimit_RejectedTooLargeBeforeAnyDownload()
    {
        var package = Rig.MakePackage("too-large", "2.0.10", 10, dir => File.WriteAllBytes(Path.Combine(dir, "padding.bin"), RandomNumberGenerator.GetBytes(4_100_000)));
        var outcome = await AssertRefusedAsync(seq => Rig.PushAsync(package, seq, chunkSize: 1 << 20), "too-large");
        Assert.DoesNotContain(Rig.Events, e => e.Sequence == outcome.Sequence && e.Event == ModelEvents.Downloading);
    }

    [Fact]
    public async Task Push_ArchiveEntryEscapingTheStagingDirectory_RejectedArchivePath()
    {
        var package = Rig.MakePackage("escape", "2.0.11", 10);
        await AssertRefusedAsync(seq => Rig.PushAsync(package, seq, archive: _ =>
        {
            using var tar = new MemoryStream();
            using (var writer = new TarWriter(tar, TarEntryFormat.Ustar, leaveOpen: true))
            {
                var entry = new UstarTarEntry(TarEntryType.RegularFile, "../../escaped.txt") { DataStream = new MemoryStream(Encoding.UTF8.GetBytes("owned")) };
                writer.WriteEntry(entry);
            }

            return tar.ToArray();
        }), ArchiveChecks.Path);
        Assert.Empty(Directory.EnumerateFiles(Path.GetTempPath(), "escaped.txt", SearchOption.TopDirectoryOnly));
    }

    [Fact]
    public async Task Push_ModelThatOutputsNaN_RejectedModelOutputNan()
    {
        var package = Rig.MakePackage("nan", "2.0.12", 10, dir => PackageForge.BreakOutputs(dir, OutputBreak.NaN));
        await AssertRefusedAsync(seq => Rig.PushAsync(package, seq), ModelContract.OutputNotFiniteCheck);
    }

    [Fact]
    public async Task Push_ModelWhoseOutputIsNotAProbability_RejectedModelOutputRange()
    {
        var package = Rig.MakePackage("range", "2.0.13", 10, dir => PackageForge.BreakOutputs(dir, OutputBreak.AboveOne));
        await AssertRefusedAsync(seq => Rig.PushAsync(package, seq), ModelContract.OutputOutOfRangeCheck);
    }

    private async Task<PushedModel> PushAcceptedAsync(string name, string version)
    {
        var package = Rig.MakePackage(name, version, 10);
        var pushed = await Rig.PushAsync(package, fixture.NextSequence());
        var outcome = await Rig.WaitForOutcomeAsync(RolloutRefusalFixture.DeviceId, pushed.Desired.Sequence);
        Assert.True(outcome.Event == ModelEvents.Active, $"{outcome.Event} {outcome.Check} {outcome.Detail}");
        return pushed;
    }

    /// <summary>Pushes, waits for the refusal naming <paramref name="check"/>, and checks the model that was serving still serves.</summary>
    private async Task<ModelEvent> AssertRefusedAsync(Func<long, Task<PushedModel>> push, string check, bool sequenceInEvent = true)
    {
        var before = await ActiveVersionAsync();
        var sequence = fixture.NextSequence();
        var since = Rig.Events.Count;
        await push(sequence);

        ModelEvent outcome;
        if (sequenceInEvent)
        {
            outcome = await Rig.WaitForOutcomeAsync(RolloutRefusalFixture.DeviceId, sequence);
        }
        else
        {
            // an unverifiable message has no sequence the device may believe
            outcome = await Rig.WaitForEventAsync(RolloutRefusalFixture.DeviceId, 0, e => e.Event == ModelEvents.Rejected && e.Check == check && Rig.Events.Skip(since).Contains(e), check);
        }

        Assert.True(outcome.Event == ModelEvents.Rejected && outcome.Check == check, $"expected rejected/{check}, got {outcome.Event}/{outcome.Check}: {outcome.Detail}");
        await AssertStillServesAsync(before);
        return outcome;
    }

    private async Task AssertStillServesAsync(string version)
    {
        Assert.Equal(version, await ActiveVersionAsync());
        using var body = new StringContent(GoldenSet.RequestBody(GoldenSet.Records[0]), Encoding.UTF8, "application/json");
        using var response = await fixture.Agent.Client.PostAsync(new Uri("/v1/score", UriKind.Relative), body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<string> ActiveVersionAsync()
    {
        var model = await fixture.Agent.Client.GetFromJsonAsync<JsonElement>(new Uri("/v1/model", UriKind.Relative));
        return model.GetProperty("version").GetString()!;
    }
}
