using System.Text;
using CreditEdge.Core.Decisions;
using CreditEdge.Core.Policy;
using CreditEdge.Storage;
using CreditEdge.TestKit;
using LiteDB;
using Microsoft.Extensions.Logging.Abstractions;

namespace CreditEdge.Storage.Tests;

/// <summary>The store's document layout (README "Storage and its guarantees"): compressed decisions, binary hashes, outbox records without a copy — and stores written in the layout before.</summary>
public sealed class StoredLayoutTests : IDisposable
{
    private readonly TempDirectory _dir = new("layout");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Dictionary1_IsThePinnedOne()
    {
        // part of the file format: records name it by id, so once shipped it never changes (a new one takes a new id)
        Assert.Equal("dc1ecd3bba590b3d70acafb7eee3d0f4290595f47bf8478e3c414735d43f0aad", DecisionCompression.DictionarySha256(1));
    }

    [Fact]
    public void Compress_ManyDecisions_DecompressesToTheSameJsonByteForByte()
    {
        var random = new Random(7);
        for (var n = 0; n < 2_000; n++)
        {
            var json = System.Text.Json.JsonSerializer.Serialize(Realistic(n, random, oddTexts: n % 3 == 0), DecisionJson.Default.Decision);
            Assert.Equal(json, DecisionCompression.Decompress(DecisionCompression.Compress(json)));
        }
    }

    [Fact]
    public void CompressUtf8_TheSameRecordAsFromTheString_LargerThanTheScratchBufferToo()
    {
        // the writer's path compresses the UTF-8 it serialized (no string): the same bytes, the same record
        var random = new Random(9);
        for (var n = 0; n < 200; n++)
        {
            var decision = Realistic(n, random, oddTexts: n % 2 == 0);
            var json = System.Text.Json.JsonSerializer.Serialize(decision, DecisionJson.Default.Decision);
            var utf8 = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(decision, DecisionJson.Default.Decision);
            Assert.Equal(DecisionCompression.Compress(json), DecisionCompression.Compress(utf8));
        }

        // incompressible text far past the thread's 4 KiB scratch buffer: it grows, nothing is cut short
        var noise = new string([.. Enumerable.Range(0, 40_000).Select(_ => (char)random.Next(0x21, 0x7E))]);
        var big = $"{{\"decisionId\":\"{noise}\"}}";
        Assert.Equal(big, DecisionCompression.Decompress(DecisionCompression.Compress(System.Text.Encoding.UTF8.GetBytes(big))));
    }

    [Fact]
    public void AuditLinkOfUtf8_EqualsTheLinkOfTheString_AndRefusesAPreviousHashThatIsNotHex()
    {
        var random = new Random(5);
        var previous = AuditChain.Genesis;
        for (var n = 0; n < 200; n++)
        {
            var json = System.Text.Json.JsonSerializer.Serialize(Realistic(n, random, oddTexts: true), DecisionJson.Default.Decision);
            var link = AuditChain.Link(previous, System.Text.Encoding.UTF8.GetBytes(json));
            Assert.Equal(AuditChain.Link(previous, json), link);
            Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData([.. Convert.FromHexString(previous), .. System.Text.Encoding.UTF8.GetBytes(json)])), link);
            previous = link;
        }

        var big = new string('x', 10_000); // past the stack buffer: a rented one
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData([.. Convert.FromHexString(previous), .. System.Text.Encoding.UTF8.GetBytes(big)])), AuditChain.Link(previous, big));
        Assert.Throws<FormatException>(() => AuditChain.Link("zz" + previous[2..], "{}"u8));
        Assert.Throws<FormatException>(() => AuditChain.Link(previous[1..], "{}"u8));
    }

    [Fact]
    public void Decompress_DamagedBytes_AlwaysAnIOExceptionNeverAnotherDecision()
    {
        var random = new Random(11);
        var json = System.Text.Json.JsonSerializer.Serialize(Realistic(1, random, oddTexts: false), DecisionJson.Default.Decision);
        var good = DecisionCompression.Compress(json);
        var refused = 0;
        for (var n = 0; n < 10_000; n++)
        {
            var bad = (n % 4) switch
            {
                0 => Flip(good, random),
                1 => good[..random.Next(0, good.Length)],
                2 => [.. good, .. RandomBytes(random, random.Next(1, 16))],
                _ => RandomBytes(random, random.Next(0, 400)),
            };
            try
            {
                var read = DecisionCompression.Decompress(bad);
                Assert.Equal(json, read); // only possible when the damage missed the frame (trailing bytes are not read)
            }
            catch (IOException)
            {
                refused++;
            }
        }

        Assert.True(refused > 9_000, $"{refused} of 10,000 damaged records refused");
        Assert.Throws<IOException>(() => DecisionCompression.Decompress([99, .. good[1..]])); // a dictionary this version does not have
    }

    [Fact]
    public async Task SaveAsync_RealisticDecisions_AtMostOneKilobyteEachWithOutboxAndAuditChain()
    {
        const int Decisions = 3_000;
        var random = new Random(3);
        var table = DefaultReasonTable();
        using (var store = LiteDecisionStore.Open(new DecisionStoreSettings { DataDirectory = _dir.Path, Durable = false }, NullLogger.Instance))
        {
            for (var start = 0; start < Decisions; start += 100)
            {
                await Task.WhenAll(Enumerable.Range(start, 100).Select(n =>
                    store.SaveAsync(Realistic(n, random, oddTexts: false) with { Reasons = [.. table.OrderBy(_ => random.Next()).Take(4)] }, CancellationToken.None)));
            }

            Assert.Equal(Decisions, store.Depth); // every one still in the outbox, none synced yet
        }

        var bytes = new FileInfo(_dir.Combine(DecisionStoreSettings.DatabaseFile)).Length + new FileInfo(_dir.Combine(DecisionStoreSettings.LogFile)).Length;
        Assert.True(bytes / Decisions <= 1024, $"{bytes / Decisions} bytes per decision (JSON about 1.1 KB each)");
    }

    /// <summary>The reasons the default package gives, as a decision carries them (each direction's applicant text where it has one).</summary>
    private static List<Reason> DefaultReasonTable()
    {
        using var manifest = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(Path.Combine(RepoPaths.DefaultModel, "manifest.json")));
        var reasons = new List<Reason>();
        foreach (var r in manifest.RootElement.GetProperty("reasons").EnumerateArray())
        {
            foreach (var text in new[] { "applicantTextHigh", "applicantTextLow", "applicantText" })
            {
                if (r.TryGetProperty(text, out var applicant))
                {
                    reasons.Add(new Reason(r.GetProperty("code").GetString()!, r.GetProperty("feature").GetString()!, r.GetProperty("text").GetString()!, applicant.GetString()));
                }
            }
        }

        Assert.True(reasons.Count >= 21, "the default package has plain-language texts");
        return reasons;
    }

    [Fact]
    public async Task SaveAsync_OneAtATime_LogCheckpointedOnceItPassesCheckpointPages()
    {
        // one decision per commit writes about 8 log pages; LiteDB's own default would let the log reach 1,000
        var settings = new DecisionStoreSettings { DataDirectory = _dir.Path, Durable = false };
        var log = _dir.Combine(DecisionStoreSettings.LogFile);
        var random = new Random(9);
        long largest = 0;
        using (var store = LiteDecisionStore.Open(settings, NullLogger.Instance))
        {
            for (var n = 0; n < 150; n++)
            {
                await store.SaveAsync(Realistic(n, random, oddTexts: false), CancellationToken.None);
                _ = store.Count(); // LiteDB holds it (the applier commits journaled decisions a moment later)
                largest = Math.Max(largest, new FileInfo(log).Length);
            }
        }

        Assert.Equal(100, settings.CheckpointPages);
        Assert.InRange(largest / 8192, settings.CheckpointPages, settings.CheckpointPages + 20); // reached it, and checkpointed there
    }

    [Fact]
    public async Task Open_StoreWrittenInTheEarlierLayout_ReadsSendsVerifiesAndGoesOnInTheNewOne()
    {
        var random = new Random(5);
        var old = Enumerable.Range(1, 30).Select(n => Realistic(n, random, oddTexts: n % 2 == 0) with { IdempotencyKey = $"old-{n}" }).ToArray();
        using (LiteDecisionStore.Open(new DecisionStoreSettings { DataDirectory = _dir.Path }, NullLogger.Instance))
        {
            // creates the key and the files
        }

        WriteEarlierLayout(old);

        var settings = new DecisionStoreSettings { DataDirectory = _dir.Path };
        using (var store = LiteDecisionStore.Open(settings, NullLogger.Instance))
        {
            Assert.All(old, d => Assert.Equal(Json(d), Json(store.Find(d.DecisionId)!)));
            Assert.Equal(Json(old[4]), Json(store.FindByIdempotencyKey("old-5")!));
            Assert.Equal(old.Select(Json), store.Peek(100).Select(r => r.Payload));
            Assert.True(store.VerifyAuditChain().Intact);

            var replayed = await store.SaveAsync(Realistic(99, random, oddTexts: false) with { IdempotencyKey = "old-7" }, CancellationToken.None);
            Assert.Equal(old[6].DecisionId, replayed.DecisionId);
            var fresh = Enumerable.Range(100, 10).Select(n => Realistic(n, random, oddTexts: false)).ToArray();
            foreach (var decision in fresh)
            {
                await store.SaveAsync(decision, CancellationToken.None);
            }

            var report = store.VerifyAuditChain();
            Assert.True(report.Intact, report.Problem);
            Assert.Equal(40, report.LinksVerified);
            Assert.Equal([.. old.Select(Json), .. fresh.Select(Json)], store.Peek(100).Select(r => r.Payload));

            store.Acknowledge([.. store.Peek(35).Select(r => r.Sequence)]);
            Assert.Equal(35, store.DeleteSyncedBefore(DateTimeOffset.MaxValue.AddDays(-1), 100));
            report = store.VerifyAuditChain();
            Assert.True(report.Intact, report.Problem);
            Assert.Equal(fresh[5..].Select(Json), store.Peek(100).Select(r => r.Payload));
        }
    }

    private void WriteEarlierLayout(IReadOnlyList<Decision> decisions)
    {
        var password = File.ReadAllText(_dir.Combine(DecisionStoreSettings.DefaultKeyFile)).Trim();
        using var db = new LiteDatabase(new ConnectionString { Filename = _dir.Combine(DecisionStoreSettings.DatabaseFile), Password = password });
        var previous = AuditChain.Genesis;
        long sequence = 0;
        foreach (var decision in decisions)
        {
            var json = Json(decision);
            sequence++;
            var hash = AuditChain.Link(previous, json);
            db.GetCollection("decisions").Insert(new BsonDocument { ["_id"] = decision.DecisionId, ["createdAt"] = decision.CreatedAt.ToUnixTimeMilliseconds(), ["json"] = json });
            db.GetCollection("idempotency").Insert(new BsonDocument { ["_id"] = decision.IdempotencyKey, ["decisionId"] = decision.DecisionId });
            db.GetCollection("audit").Insert(new BsonDocument { ["_id"] = sequence, ["decisionId"] = decision.DecisionId, ["previous"] = previous, ["hash"] = hash });
            db.GetCollection("outbox").Insert(new BsonDocument { ["_id"] = sequence, ["decisionId"] = decision.DecisionId, ["payload"] = json });
            previous = hash;
        }

        db.GetCollection("meta").Upsert(new BsonDocument { ["_id"] = "chain-head", ["sequence"] = sequence, ["hash"] = previous });
    }

    private static string Json(Decision decision) => System.Text.Json.JsonSerializer.Serialize(decision, DecisionJson.Default.Decision);

    /// <summary>A decision the size the agent makes: 21 inputs, four reasons, hashed application id; odd texts test the compressor on what the dictionary has never seen.</summary>
    private static Decision Realistic(int n, Random random, bool oddTexts) => new()
    {
        DecisionId = Guid.CreateVersion7(DateTimeOffset.UnixEpoch.AddDays(20_000).AddSeconds(n)).ToString("N"),
        ApplicationId = "hmac-sha256:" + Convert.ToHexStringLower(RandomBytes(random, 32)),
        IdempotencyKey = n % 2 == 0 ? Guid.NewGuid().ToString() : null,
        Outcome = (Outcome)(n % 3),
        Probability = random.NextDouble(),
        Score = 450 + random.Next(250),
        Reasons = [.. Enumerable.Range(0, 4).Select(i => new Reason($"R{random.Next(1, 22):D2}", $"FEATURE_{i}", oddTexts
            ? $"Zahlungsverzug — {new string((char)random.Next(0x4E00, 0x9FFF), random.Next(1, 40))} \"quoted\" \\ {i}"
            : $"Your repayment record over the last {i + 1} months weighs against the application"))],
        Model = new ModelRef("taiwan-credit", "1.1.0", Convert.ToHexStringLower(RandomBytes(new Random(1), 32)), n % 2 == 0 ? "fp32" : "int8"),
        CreatedAt = DateTimeOffset.UnixEpoch.AddDays(20_000).AddSeconds(n).AddTicks(random.Next(10_000_000)),
        Input = [.. Enumerable.Range(0, 21).Select(i => i < 10 ? random.Next(-2, 9) : (float)Math.Round(random.NextDouble() * 200_000, 1))],
    };

    private static byte[] RandomBytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Flip(byte[] good, Random random)
    {
        var bad = (byte[])good.Clone();
        bad[random.Next(bad.Length)] ^= (byte)(1 << random.Next(8));
        return bad;
    }
}
