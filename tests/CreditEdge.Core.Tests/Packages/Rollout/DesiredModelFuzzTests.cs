using System.Security.Cryptography;
using System.Text;
using CreditEdge.Core.Packages.Rollout;
using CreditEdge.Core.Packages.Signing;
using CreditEdge.TestKit;
using CsCheck;

namespace CreditEdge.Core.Tests.Packages.Rollout;

/// <summary>
/// 20,000 hostile payloads through <see cref="DesiredModelReader.Read"/>: random bytes, byte-mutated signed messages (the
/// CBOR/COSE decoder), and mutated documents re-signed with the trusted key (so the JSON reader and every rule see them
/// behind a good signature). Each is read or refused with one of the three checks; no other exception ever escapes.
/// </summary>
public sealed class DesiredModelFuzzTests
{
    private static readonly HashSet<string> Checks = [DesiredModelChecks.Format, DesiredModelChecks.Signature, DesiredModelChecks.Untrusted];

    [Fact]
    public void Read_TwentyThousandHostilePayloads_OnlyNamedRefusals()
    {
        using var key = SigningKeys.Generate();
        var sample = DesiredModels.Sample();
        DesiredModel[] models =
        [
            sample,
            sample with { Target = DesiredTarget.ForDevice("kiosk-7"), Shadow = null, Probation = null },
            sample with { Package = sample.Package with { Size = 4096, ChunkSize = 4096, Chunks = [DesiredModels.Hash] } },
        ];
        var messages = models.Select(m => DesiredModelSigner.Sign(m, key)).ToArray();
        var documents = messages.Select(DesiredModels.Document).ToArray();
        var resigned = HostileBodies.From(documents).Select(json => DesiredModels.SignRaw(json, key));
        var mutatedCose = Gen.Select(Gen.Int[0, messages.Length - 1], Gen.Select(Gen.Int[0, int.MaxValue], Gen.Byte, Gen.Int[0, 2]).Array[1, 4],
            (i, ops) => Mutate(messages[i], ops));
        var generated = Gen.Select(Gen.Long[1, long.MaxValue], Gen.Int[PackageChunks.MinChunkSize, PackageChunks.MaxChunkSize], Gen.Int[1, 40], Gen.Double[0, 1],
            (sequence, chunkSize, chunks, agreement) => DesiredModelSigner.Sign(sample with
            {
                Sequence = sequence,
                Package = sample.Package with { Size = ((long)chunkSize * (chunks - 1)) + 1, ChunkSize = chunkSize, Chunks = Enumerable.Repeat(DesiredModels.Hash, chunks).ToArray() },
                Shadow = sample.Shadow! with { MinOutcomeAgreement = agreement },
            }, key));
        var payloads = Gen.Frequency((10, resigned), (7, mutatedCose), (1, generated), (2, Gen.Byte.Array[0, 600]));
        var accepted = 0;
        var refused = new Dictionary<string, int>(StringComparer.Ordinal);

        payloads.Sample(payload =>
        {
            try
            {
                DesiredModelReader.Read(payload, [key]);
                accepted++;
            }
            catch (DesiredModelException ex)
            {
                Assert.Contains(ex.Check, Checks);
                Assert.False(string.IsNullOrWhiteSpace(ex.Message));
                refused[ex.Check] = refused.GetValueOrDefault(ex.Check) + 1;
            }
        }, iter: 20_000, threads: 1);

        Assert.Equal(20_000, accepted + refused.Values.Sum());
        Assert.True(accepted > 500, $"{accepted} accepted: generated models and some mutations are valid");
        Assert.True(refused.GetValueOrDefault(DesiredModelChecks.Format) > 1000 && refused.GetValueOrDefault(DesiredModelChecks.Signature) > 100,
            $"refusals: {string.Join(", ", refused.Select(kv => $"{kv.Key} {kv.Value}"))}");
    }

    private static byte[] Mutate(byte[] message, (int Position, byte Value, int Op)[] ops)
    {
        var bytes = new List<byte>(message);
        foreach (var (position, value, op) in ops)
        {
            var at = position % bytes.Count;
            switch (op)
            {
                case 0:
                    bytes[at] = value;
                    break;
                case 1:
                    bytes.Insert(at, value);
                    break;
                default:
                    bytes.RemoveRange(at, Math.Min(1 + (position % 16), bytes.Count - at - 1));
                    break;
            }
        }

        return [.. bytes];
    }
}
