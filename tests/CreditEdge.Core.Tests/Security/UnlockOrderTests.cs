using System.Security.Cryptography;
using System.Text;
using CreditEdge.Core.Packages.Rollout;
using CreditEdge.Core.Packages.Signing;
using CreditEdge.Core.Security;
using CreditEdge.Core.Tests.Packages.Rollout;

namespace CreditEdge.Core.Tests.Security;

public sealed class UnlockOrderTests : IDisposable
{
    private const string Canonical = "{\"format\":\"creditedge.unlock-order/1\",\"deviceId\":\"kiosk-7\",\"issuedAt\":\"2026-03-02T09:20:00.1234567Z\","
        + "\"operator\":\"j.doe\",\"reason\":\"enclosure closed after printer service\"}";

    private readonly ECDsa _key = SigningKeys.Generate();
    private readonly ECDsa _otherKey = SigningKeys.Generate();

    public void Dispose()
    {
        _key.Dispose();
        _otherKey.Dispose();
    }

    private UnlockOrderException Refused(byte[] message, params ECDsa[] trusted) =>
        Assert.Throws<UnlockOrderException>(() => UnlockOrderReader.Read(message, trusted.Length == 0 ? [_key] : trusted));

    [Fact]
    public void Sign_SampleOrder_CanonicalJsonInFixedOrderWithoutWhitespace()
    {
        var message = UnlockOrderSigner.Sign(UnlockOrders.Sample(), _key);

        Assert.Equal(Canonical, UnlockOrders.Document(message));
    }

    [Fact]
    public void Sign_IssuedAtWithOffset_WrittenAsTheSameInstantInUtc()
    {
        var order = UnlockOrders.Sample() with { IssuedAt = new DateTimeOffset(2026, 3, 2, 11, 20, 0, TimeSpan.FromHours(2)).AddTicks(1234567) };

        Assert.Equal(Canonical, UnlockOrders.Document(UnlockOrderSigner.Sign(order, _key)));
    }

    [Fact]
    public void Read_SignedOrder_RoundTripsEveryField()
    {
        var order = UnlockOrders.Sample() with { Operator = "Zoë Ørsted 🔧", Reason = "" };

        var message = UnlockOrderSigner.Sign(order, _key);
        var sut = UnlockOrderReader.Read(message, [_otherKey, _key]);

        Assert.Equal(order, sut);
        Assert.Equal(TimeSpan.Zero, sut.IssuedAt.Offset);
        Assert.True(message.Length < UnlockOrder.MaxMessageBytes / 2, $"{message.Length} bytes");
    }

    [Fact]
    public void Read_LongestFieldsOfWideCharacters_FitTheCap()
    {
        var order = UnlockOrders.Sample() with
        {
            DeviceId = new string('k', 64),
            Operator = string.Concat(Enumerable.Repeat("🔧", UnlockOrder.MaxOperatorLength / 2)),
            Reason = new string('€', UnlockOrder.MaxReasonLength),
        };

        var message = UnlockOrderSigner.Sign(order, _key);

        Assert.InRange(message.Length, 1, UnlockOrder.MaxMessageBytes);
        Assert.Equal(order, UnlockOrderReader.Read(message, [_key]));
    }

    [Fact]
    public void Read_OnePayloadByteChanged_RefusedSignature()
    {
        var message = UnlockOrderSigner.Sign(UnlockOrders.Sample(), _key);
        var at = message.AsSpan().IndexOf("kiosk-7"u8);
        message[at + 6] = (byte)'8'; // kiosk-7 → kiosk-8: a valid order for another kiosk, but not the signed one

        var ex = Refused(message);

        Assert.Equal(UnlockOrderChecks.Signature, ex.Check);
        Assert.Contains(SigningKeys.KeyId(_key), ex.Message, StringComparison.Ordinal);
        Assert.Contains("altered", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_SignatureByteChanged_RefusedSignature()
    {
        var message = UnlockOrderSigner.Sign(UnlockOrders.Sample(), _key);
        message[^1] ^= 0x01;

        Assert.Equal(UnlockOrderChecks.Signature, Refused(message).Check);
    }

    [Fact]
    public void Read_SignedByUnknownKey_RefusedSignatureNamingItsKid()
    {
        var ex = Refused(UnlockOrderSigner.Sign(UnlockOrders.Sample(), _otherKey), _key);

        Assert.Equal(UnlockOrderChecks.Signature, ex.Check);
        Assert.Contains($"signed by key {SigningKeys.KeyId(_otherKey)}, which is not trusted", ex.Message, StringComparison.Ordinal);
        Assert.Contains(SigningKeys.KeyId(_key), ex.Message, StringComparison.Ordinal); // and says which keys are
    }

    [Fact]
    public void Read_NoTrustedKeys_RefusedSignature()
    {
        var message = UnlockOrderSigner.Sign(UnlockOrders.Sample(), _key);

        var ex = Assert.Throws<UnlockOrderException>(() => UnlockOrderReader.Read(message, []));

        Assert.Equal(UnlockOrderChecks.Signature, ex.Check);
        Assert.Contains($"signed by key {SigningKeys.KeyId(_key)}, but no key is trusted", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_KeyIdOfTrustedKeyButSignedByAnother_RefusedSignature()
    {
        var message = UnlockOrders.SignRaw(Encoding.UTF8.GetBytes(Canonical), _otherKey, keyId: SigningKeys.KeyId(_key));

        Assert.Equal(UnlockOrderChecks.Signature, Refused(message, _key, _otherKey).Check);
    }

    [Theory]
    [InlineData("")]
    [InlineData("unlock kiosk-7 please")]
    [InlineData("{\"order\":\"AAAA\"}")]
    public void Read_NotCose_RefusedFormat(string garbage)
    {
        var ex = Refused(Encoding.UTF8.GetBytes(garbage));

        Assert.Equal(UnlockOrderChecks.Format, ex.Check);
        Assert.Contains("not a COSE_Sign1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_RandomBytes_RefusedFormat()
    {
        var bytes = new byte[300];
        new Random(11).NextBytes(bytes);

        Assert.Equal(UnlockOrderChecks.Format, Refused(bytes).Check);
    }

    [Fact]
    public void Read_OverFourKibibytes_RefusedFormatBeforeDecoding()
    {
        // a validly signed document, only too large: the cap is checked before any decoding or verifying
        var padded = Canonical.Replace("\"reason\":\"", "\"reason\":\"" + new string(' ', UnlockOrder.MaxMessageBytes), StringComparison.Ordinal);

        var ex = Refused(UnlockOrders.SignRaw(Encoding.UTF8.GetBytes(padded), _key));

        Assert.Equal(UnlockOrderChecks.Format, ex.Check);
        Assert.Contains($"at most {UnlockOrder.MaxMessageBytes}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadBase64_CommandArgument_RoundTrips()
    {
        var order = UnlockOrders.Sample();

        Assert.Equal(order, UnlockOrderReader.ReadBase64(Convert.ToBase64String(UnlockOrderSigner.Sign(order, _key)), [_key]));
    }

    [Theory]
    [InlineData(null, "missing")]
    [InlineData("", "missing")]
    [InlineData("not base64!", "not base64")]
    [InlineData("QUJD", "not a COSE_Sign1")]
    public void ReadBase64_BadArgument_RefusedFormat(string? argument, string named)
    {
        var ex = Assert.Throws<UnlockOrderException>(() => UnlockOrderReader.ReadBase64(argument, [_key]));

        Assert.Equal(UnlockOrderChecks.Format, ex.Check);
        Assert.Contains(named, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadBase64_LongerThanTheCapAllows_RefusedFormatBeforeDecoding()
    {
        var ex = Assert.Throws<UnlockOrderException>(() => UnlockOrderReader.ReadBase64(new string('A', 1_000_000), [_key]));

        Assert.Equal(UnlockOrderChecks.Format, ex.Check);
        Assert.Contains("has 1000000 characters; at most 5464", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadBase64_JustOverTheCap_RefusedFormatNamingTheSize()
    {
        var ex = Assert.Throws<UnlockOrderException>(() => UnlockOrderReader.ReadBase64(Convert.ToBase64String(new byte[UnlockOrder.MaxMessageBytes + 1]), [_key]));

        Assert.Equal(UnlockOrderChecks.Format, ex.Check);
        Assert.Contains($"at most {UnlockOrder.MaxMessageBytes} are accepted", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_DesiredModelSignedByTrustedKey_RefusedFormat()
    {
        // the same keys sign desired models: one of those is never taken for an unlock order
        var ex = Refused(DesiredModelSigner.Sign(DesiredModels.Sample(), _key));

        Assert.Equal(UnlockOrderChecks.Format, ex.Check);
    }

    [Theory]
    [InlineData("\"format\":\"creditedge.unlock-order/1\"", "\"format\":\"creditedge.unlock-order/2\"", "format is 'creditedge.unlock-order/2'")]
    [InlineData("{\"format\"", "{\"extra\":1,\"format\"", "extra")]
    [InlineData("\"operator\":\"j.doe\",", "", "operator")]
    [InlineData("\"operator\":\"j.doe\"", "\"operator\":null", "operator")]
    [InlineData("\"operator\":\"j.doe\"", "\"operator\":7", "operator")]
    [InlineData("\"operator\":\"j.doe\"", "\"operator\":\"\"", "operator '' is not 1-64 printable")]
    [InlineData("\"operator\":\"j.doe\"", "\"operator\":\"   \"", "operator '   ' is not 1-64 printable")]
    [InlineData("\"operator\":\"j.doe\"", "\"operator\":\"j.doe\\u001b[2J\"", "operator 'j.doe\\u001b[2J'")]
    [InlineData("\"operator\":\"j.doe\"", "\"operator\":\"j.doe\\u202e\"", "operator")]
    [InlineData("\"operator\":\"j.doe\"", "\"operator\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"", "1-64 printable")]
    [InlineData("\"reason\":\"enclosure", "\"reason\":\"line one\\nenclosure", "reason")]
    [InlineData("\"deviceId\":\"kiosk-7\"", "\"deviceId\":\"kiosk/+\"", "deviceId 'kiosk/+'")]
    [InlineData("\"deviceId\":\"kiosk-7\"", "\"deviceId\":\"kiosk-7\",\"deviceId\":\"kiosk-8\"", "deviceId")]
    [InlineData("\"deviceId\":\"kiosk-7\"", "\"DeviceId\":\"kiosk-7\"", "DeviceId")]
    [InlineData("\"issuedAt\":\"2026-03-02T09:20:00.1234567Z\"", "\"issuedAt\":\"2026-03-02T11:20:00.1234567+02:00\"", "not a UTC time")]
    [InlineData("\"issuedAt\":\"2026-03-02T09:20:00.1234567Z\"", "\"issuedAt\":\"2026-03-02T09:20:00\"", "not a UTC time as yyyy-MM-dd'T'HH:mm:ss.fffffff'Z' (at $.issuedAt)")]
    [InlineData("\"issuedAt\":\"2026-03-02T09:20:00.1234567Z\"", "\"issuedAt\":1772443200", "a time is a string, not Number (at $.issuedAt)")]
    [InlineData("{\"format\"", "[{\"format\"", "not an unlock order")]
    [InlineData("\"}", "\"", "not an unlock order")]
    [InlineData("\"}", "\"}{}", "not an unlock order")]
    public void Read_DocumentBreakingARule_RefusedFormatNamingIt(string find, string replace, string named)
    {
        Assert.Contains(find, Canonical, StringComparison.Ordinal);

        var ex = Refused(UnlockOrders.SignRaw(Encoding.UTF8.GetBytes(Canonical.Replace(find, replace, StringComparison.Ordinal)), _key));

        Assert.Equal(UnlockOrderChecks.Format, ex.Check);
        Assert.Contains(named, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public void Read_ReasonOverTheLimit_RefusedFormatNamingTheLength()
    {
        var json = Canonical.Replace("enclosure closed after printer service", new string('r', UnlockOrder.MaxReasonLength + 1), StringComparison.Ordinal);

        var ex = Refused(UnlockOrders.SignRaw(Encoding.UTF8.GetBytes(json), _key));

        Assert.Equal(UnlockOrderChecks.Format, ex.Check);
        Assert.Contains($"reason has {UnlockOrder.MaxReasonLength + 1} characters; at most {UnlockOrder.MaxReasonLength}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_DocumentNull_RefusedFormat()
    {
        Assert.Equal(UnlockOrderChecks.Format, Refused(UnlockOrders.SignRaw("null"u8.ToArray(), _key)).Check);
    }

    [Fact]
    public void Read_DocumentNotUtf8_RefusedFormat()
    {
        var bytes = Encoding.UTF8.GetBytes(Canonical);
        bytes[Canonical.IndexOf("j.doe", StringComparison.Ordinal)] = 0xC3; // a lone lead byte

        Assert.Equal(UnlockOrderChecks.Format, Refused(UnlockOrders.SignRaw(bytes, _key)).Check);
    }

    [Theory]
    [InlineData("kiosk/7", "j.doe", "", "deviceId 'kiosk/7'")]
    [InlineData("", "j.doe", "", "deviceId ''")]
    [InlineData("kiosk-7", "", "", "operator ''")]
    [InlineData("kiosk-7", "j.doe\r\nforged: line", "", "operator 'j.doe\\u000d\\u000aforged: line'")]
    [InlineData("kiosk-7", "j.doe", "tab\there", "reason 'tab\\u0009here'")]
    public void Sign_OrderTheReaderWouldRefuse_RefusedFormatNamingTheField(string deviceId, string @operator, string reason, string named)
    {
        var order = UnlockOrders.Sample() with { DeviceId = deviceId, Operator = @operator, Reason = reason };

        var ex = Assert.Throws<UnlockOrderException>(() => UnlockOrderSigner.Sign(order, _key));

        Assert.Equal(UnlockOrderChecks.Format, ex.Check);
        Assert.Contains(named, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sign_ReasonOverTheLimit_RefusedFormat()
    {
        var order = UnlockOrders.Sample() with { Reason = new string('r', UnlockOrder.MaxReasonLength + 1) };

        Assert.Equal(UnlockOrderChecks.Format, Assert.Throws<UnlockOrderException>(() => UnlockOrderSigner.Sign(order, _key)).Check);
    }

    [Fact]
    public void Sign_NotP256_RefusedKey()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);

        Assert.Throws<SigningKeyException>(() => UnlockOrderSigner.Sign(UnlockOrders.Sample(), p384));
    }
}
