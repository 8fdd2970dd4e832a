using CreditEdge.Core.Packages.Signing;
using CreditEdge.Core.Security;
using CreditEdge.TestKit;
using CsCheck;

namespace CreditEdge.Core.Tests.Security;

/// <summary>
/// 10,000 hostile inputs through <see cref="UnlockOrderReader.Read"/> — what any client that may publish a command can
/// put in front of a locked kiosk: random bytes, byte-mutated signed orders (the COSE decoder), and mutated documents
/// re-signed with the trusted key (so the JSON reader and every field rule see them behind a good signature). Each is
/// read or refused with one of the two checks; no other exception ever escapes.
/// </summary>
public sealed class UnlockOrderFuzzTests
{
    [Fact]
    public void Read_TenThousandHostileInputs_OnlyNamedRefusals()
    {
        using var key = SigningKeys.Generate();
        var sample = UnlockOrders.Sample();
        UnlockOrder[] orders = [sample, sample with { Reason = "" }, sample with { Operator = "Zoë 🔧", DeviceId = "a" }];
        var messages = orders.Select(o => UnlockOrderSigner.Sign(o, key)).ToArray();
        var resigned = HostileBodies.From(messages.Select(UnlockOrders.Document).ToArray()).Select(json => UnlockOrders.SignRaw(json, key));
        var mutatedCose = Gen.Select(Gen.Int[0, messages.Length - 1], Gen.Int[0, int.MaxValue], Gen.Byte, (i, position, value) =>
        {
            var copy = (byte[])messages[i].Clone();
            copy[position % copy.Length] = value;
            return copy;
        });
        var inputs = Gen.Frequency((10, resigned), (6, mutatedCose), (2, Gen.Byte.Array[0, 600]), (1, Gen.Byte.Array[4000, 5000]));
        var accepted = 0;
        var refused = new Dictionary<string, int>(StringComparer.Ordinal);

        inputs.Sample(input =>
        {
            try
            {
                UnlockOrderReader.Read(input, [key]);
                accepted++;
            }
            catch (UnlockOrderException ex)
            {
                Assert.Contains(ex.Check, (string[])[UnlockOrderChecks.Format, UnlockOrderChecks.Signature]);
                Assert.DoesNotContain('\n', ex.Message);
                refused[ex.Check] = refused.GetValueOrDefault(ex.Check) + 1;
            }
        }, iter: 10_000, threads: 1);

        Assert.Equal(10_000, accepted + refused.Values.Sum());
        Assert.True(accepted > 50, $"{accepted} accepted: some mutations leave a valid order");
        Assert.True(refused.GetValueOrDefault(UnlockOrderChecks.Format) > 1000 && refused.GetValueOrDefault(UnlockOrderChecks.Signature) > 100,
            $"refusals: {string.Join(", ", refused.Select(kv => $"{kv.Key} {kv.Value}"))}");
    }
    [Fact]
    public void Read_HeaderLabelBeyondInt32_RefusedAsFormatNotAnOverflow()
    {
        // Found by the fuzz test above (seed 5vVyB_aIC6s1): the COSE decoder reads integer header labels with
        // CborReader.ReadInt32, which throws OverflowException for a label of 2^64-1.
        byte[] protectedHeader = [0xA1, 0x1B, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x26];
        byte[] message = [0xD2, 0x84, (byte)(0x40 + protectedHeader.Length), .. protectedHeader, 0xA0, 0x41, 0x00, 0x40];
        using var key = SigningKeys.Generate();

        var ex = Assert.Throws<UnlockOrderException>(() => UnlockOrderReader.Read(message, [key]));

        Assert.Equal(UnlockOrderChecks.Format, ex.Check);
        Assert.IsType<OverflowException>(ex.InnerException);
    }
}
