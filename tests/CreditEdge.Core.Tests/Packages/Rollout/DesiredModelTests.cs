using System.Security.Cryptography;
using System.Text;
using CreditEdge.Core.Packages.Rollout;
using CreditEdge.Core.Packages.Signing;

namespace CreditEdge.Core.Tests.Packages.Rollout;

public sealed class DesiredModelTests : IDisposable
{
    private const string Chunks = "[\"0000000000000000000000000000000000000000000000000000000000000000\",\"1111111111111111111111111111111111111111111111111111111111111111\","
        + "\"2222222222222222222222222222222222222222222222222222222222222222\",\"3333333333333333333333333333333333333333333333333333333333333333\"]";

    private const string Canonical = "{\"format\":\"creditedge.desired-model/1\",\"target\":{\"group\":\"branch-north\"},\"sequence\":1767225600123,"
        + "\"issuedAt\":\"2026-01-01T00:00:00.1230000Z\",\"package\":{\"id\":\"taiwan-credit\",\"version\":\"1.2.0\",\"sequence\":4,"
        + "\"sha256\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"size\":200000,\"chunkSize\":65536,\"chunks\":" + Chunks + "},"
        + "\"allowSchemaChange\":false,\"shadow\":{\"decisions\":200,\"maxDuration\":\"1.00:00:00\",\"minOutcomeAgreement\":0.95,\"minScoreCorrelation\":0.9,"
        + "\"maxLatencyRatio\":3},\"probation\":{\"decisions\":500,\"duration\":\"1.00:00:00\",\"maxScorePsi\":0.25,\"maxErrorRate\":0.01,\"maxLatencyRatio\":3}}";

    private readonly ECDsa _key = SigningKeys.Generate();
    private readonly ECDsa _otherKey = SigningKeys.Generate();

    public void Dispose()
    {
        _key.Dispose();
        _otherKey.Dispose();
    }

    private DesiredModelException Refused(byte[] message, params ECDsa[] trusted) =>
        Assert.Throws<DesiredModelException>(() => DesiredModelReader.Read(message, trusted.Length == 0 ? [_key] : trusted));

    private DesiredModelException RefusedDocument(string json) => Refused(DesiredModels.SignRaw(Encoding.UTF8.GetBytes(json), _key));

    [Fact]
    public void Sign_SampleModel_CanonicalJsonInFixedOrderWithoutWhitespace()
    {
        var message = DesiredModelSigner.Sign(DesiredModels.Sample(), _key);

        Assert.Equal(Canonical, DesiredModels.Document(message));
    }

    [Fact]
    public void Read_SignedModel_RoundTripsEveryField()
    {
        var model = DesiredModels.Sample();

        var sut = DesiredModelReader.Read(DesiredModelSigner.Sign(model, _key), [_otherKey, _key]);

        Assert.Equal(model.Target, sut.Target);
        Assert.Equal(model.Sequence, sut.Sequence);
        Assert.Equal(model.IssuedAt, sut.IssuedAt);
        Assert.Equal(model.AllowSchemaChange, sut.AllowSchemaChange);
        Assert.Equal(model.Shadow, sut.Shadow);
        Assert.Equal(model.Probation, sut.Probation);
        Assert.Equal(model.Package with { Chunks = [] }, sut.Package with { Chunks = [] });
        Assert.Equal(model.Package.Chunks, sut.Package.Chunks);
    }

    [Fact]
    public void Read_DeviceTargetWithoutShadowOrProbation_RoundTrips()
    {
        var model = DesiredModels.Sample() with { Target = DesiredTarget.ForDevice("kiosk-7"), Shadow = null, Probation = null, AllowSchemaChange = true };

        var message = DesiredModelSigner.Sign(model, _key);
        var sut = DesiredModelReader.Read(message, [_key]);

        Assert.Equal(DesiredTarget.ForDevice("kiosk-7"), sut.Target);
        Assert.Null(sut.Shadow);
        Assert.Null(sut.Probation);
        Assert.True(sut.AllowSchemaChange);
        Assert.Contains("\"target\":{\"device\":\"kiosk-7\"}", DesiredModels.Document(message), StringComparison.Ordinal);
        Assert.EndsWith("\"allowSchemaChange\":true,\"shadow\":null,\"probation\":null}", DesiredModels.Document(message), StringComparison.Ordinal);
    }

    [Fact]
    public void Read_CanonicalDocumentSignedElsewhere_Accepted()
    {
        var sut = DesiredModelReader.Read(DesiredModels.SignRaw(Encoding.UTF8.GetBytes(Canonical), _key), [_key]);

        Assert.Equal(DesiredModels.Sample().Sequence, sut.Sequence);
    }

    [Fact]
    public void Read_OnePayloadByteChanged_RefusedSignature()
    {
        var message = DesiredModelSigner.Sign(DesiredModels.Sample(), _key);
        var at = message.AsSpan().IndexOf("branch-north"u8);
        message[at] = (byte)'B'; // branch-north → Branch-north: a valid document for another group, but not the signed one

        Assert.Equal(DesiredModelChecks.Signature, Refused(message).Check);
    }

    [Fact]
    public void Read_SignatureByteChanged_RefusedSignature()
    {
        var message = DesiredModelSigner.Sign(DesiredModels.Sample(), _key);
        message[^1] ^= 0x01;

        Assert.Equal(DesiredModelChecks.Signature, Refused(message).Check);
    }

    [Fact]
    public void Read_SignedByAnotherKey_RefusedUntrustedNamingTheKey()
    {
        var ex = Refused(DesiredModelSigner.Sign(DesiredModels.Sample(), _otherKey), _key);

        Assert.Equal(DesiredModelChecks.Untrusted, ex.Check);
        Assert.Contains(SigningKeys.KeyId(_otherKey), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_NoTrustedKey_RefusedUntrusted()
    {
        var message = DesiredModelSigner.Sign(DesiredModels.Sample(), _key);

        Assert.Equal(DesiredModelChecks.Untrusted, Assert.Throws<DesiredModelException>(() => DesiredModelReader.Read(message, [])).Check);
    }

    [Fact]
    public void Read_KeyIdOfAnotherTrustedKey_RefusedSignature()
    {
        // signed by the other key, but claiming to be by the trusted one: the named key's verdict is final
        var message = DesiredModels.SignRaw(Encoding.UTF8.GetBytes(Canonical), _otherKey, keyId: SigningKeys.KeyId(_key));

        Assert.Equal(DesiredModelChecks.Signature, Refused(message, _key, _otherKey).Check);
    }

    [Fact]
    public void Read_UnknownKeyIdButTrustedSigner_Accepted()
    {
        var message = DesiredModels.SignRaw(Encoding.UTF8.GetBytes(Canonical), _key, keyId: "0123456789abcdef");

        Assert.Equal(DesiredModels.Sample().Sequence, DesiredModelReader.Read(message, [_otherKey, _key]).Sequence);
    }

    [Fact]
    public void Read_NotEs256_RefusedSignature()
    {
        var message = DesiredModels.SignRaw(Encoding.UTF8.GetBytes(Canonical), _key, hash: HashAlgorithmName.SHA384);

        var ex = Refused(message);

        Assert.Equal(DesiredModelChecks.Signature, ex.Check);
        Assert.Contains("ES256", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_NotCose_RefusedFormat()
    {
        Assert.Equal(DesiredModelChecks.Format, Refused(Encoding.UTF8.GetBytes(Canonical)).Check);
        Assert.Equal(DesiredModelChecks.Format, Refused([]).Check);
    }

    [Fact]
    public void Read_DetachedPayload_RefusedFormat()
    {
        var message = System.Security.Cryptography.Cose.CoseSign1Message.SignDetached(Encoding.UTF8.GetBytes(Canonical),
            new System.Security.Cryptography.Cose.CoseSigner(_key, HashAlgorithmName.SHA256));

        Assert.Equal(DesiredModelChecks.Format, Refused(message).Check);
    }

    [Fact]
    public void Read_OverOneMebibyte_RefusedFormatBeforeDecoding()
    {
        var ex = Refused(new byte[DesiredModel.MaxMessageBytes + 1]);

        Assert.Equal(DesiredModelChecks.Format, ex.Check);
        Assert.Contains("at most 1048576", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"format\":\"creditedge.desired-model/1\"", "\"format\":\"creditedge.desired-model/2\"", "format")]
    [InlineData("{\"format\"", "{\"extra\":1,\"format\"", "unknown field 'extra'")]
    [InlineData("\"allowSchemaChange\":false,", "", "no 'allowSchemaChange'")]
    [InlineData("\"allowSchemaChange\":false", "\"allowSchemaChange\":\"no\"", "true or false")]
    [InlineData("\"sequence\":1767225600123,", "\"sequence\":1767225600123,\"sequence\":1767225600124,", "twice")]
    [InlineData("\"sequence\":1767225600123", "\"sequence\":\"1767225600123\"", "whole number")]
    [InlineData("\"sequence\":1767225600123", "\"sequence\":1.5", "whole number")]
    [InlineData("\"sequence\":1767225600123", "\"sequence\":0", "not positive")]
    [InlineData("\"sequence\":4", "\"sequence\":-1", "package.sequence")]
    [InlineData("\"size\":200000", "\"size\":0", "package.size")]
    [InlineData("\"size\":200000", "\"size\":2000000000000", "package.size")]
    [InlineData("\"size\":200000", "\"size\":300000", "package.chunks has 4 hashes")]
    [InlineData("\"chunkSize\":65536", "\"chunkSize\":1024", "package.chunkSize")]
    [InlineData("\"chunkSize\":65536", "\"chunkSize\":4194304", "package.chunkSize")]
    [InlineData("\"sha256\":\"aaaa", "\"sha256\":\"AAAA", "package.sha256")]
    [InlineData("\"sha256\":\"aaaa", "\"sha256\":\"aaa", "package.sha256")]
    [InlineData("\"sha256\":\"aaaa", "\"sha256\":\"zaaa", "package.sha256")]
    [InlineData("\"0000000000000000000000000000000000000000000000000000000000000000\"", "\"00\"", "package.chunks[0]")]
    [InlineData("\"0000000000000000000000000000000000000000000000000000000000000000\"", "0", "package.chunks[0]")]
    [InlineData("\"target\":{\"group\":\"branch-north\"}", "\"target\":{\"group\":\"branch/+\"}", "target group")]
    [InlineData("\"target\":{\"group\":\"branch-north\"}", "\"target\":{\"group\":\"a\",\"device\":\"b\"}", "exactly one")]
    [InlineData("\"target\":{\"group\":\"branch-north\"}", "\"target\":{}", "exactly one")]
    [InlineData("\"target\":{\"group\":\"branch-north\"}", "\"target\":{\"fleet\":\"x\"}", "unknown field 'fleet'")]
    [InlineData("\"issuedAt\":\"2026-01-01T00:00:00.1230000Z\"", "\"issuedAt\":\"2026-01-01T00:00:00+02:00\"", "issuedAt")]
    [InlineData("\"id\":\"taiwan-credit\"", "\"id\":\"\"", "package.id")]
    [InlineData("\"minOutcomeAgreement\":0.95", "\"minOutcomeAgreement\":1.5", "shadow.minOutcomeAgreement")]
    [InlineData("\"minScoreCorrelation\":0.9", "\"minScoreCorrelation\":-2", "shadow.minScoreCorrelation")]
    [InlineData("\"decisions\":200", "\"decisions\":0", "shadow.decisions")]
    [InlineData("\"maxDuration\":\"1.00:00:00\"", "\"maxDuration\":\"-00:00:01\"", "shadow.maxDuration")]
    [InlineData("\"maxDuration\":\"1.00:00:00\"", "\"maxDuration\":\"tomorrow\"", "duration")]
    [InlineData("\"maxLatencyRatio\":3}", "\"maxLatencyRatio\":0.5}", "maxLatencyRatio")]
    [InlineData("\"maxScorePsi\":0.25", "\"maxScorePsi\":-0.1", "probation.maxScorePsi")]
    [InlineData("\"maxErrorRate\":0.01", "\"maxErrorRate\":2", "probation.maxErrorRate")]
    [InlineData("\"duration\":\"1.00:00:00\"", "\"duration\":\"100.00:00:00\"", "probation.duration")]
    [InlineData("\"probation\":{", "\"probation\":[{", "not a desired-model document")]
    [InlineData("{\"format\"", "[{\"format\"", "not a desired-model document")]
    [InlineData("}}", "}", "not a desired-model document")]
    [InlineData("\"shadow\":{", "\"shadow\":7,\"x\":{", "unknown field 'x'")]
    public void Read_DocumentBreakingARule_RefusedFormatNamingIt(string find, string replace, string named)
    {
        Assert.Contains(find, Canonical, StringComparison.Ordinal);

        var ex = RefusedDocument(Canonical.Replace(find, replace, StringComparison.Ordinal));

        Assert.Equal(DesiredModelChecks.Format, ex.Check);
        Assert.Contains(named, ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Read_DocumentNotUtf8_RefusedFormat()
    {
        var bytes = Encoding.UTF8.GetBytes(Canonical);
        bytes[Canonical.IndexOf("taiwan", StringComparison.Ordinal)] = 0xC3; // a lone lead byte

        Assert.Equal(DesiredModelChecks.Format, Refused(DesiredModels.SignRaw(bytes, _key)).Check);
    }

    [Fact]
    public void Sign_ModelTheReaderWouldRefuse_RefusedFormat()
    {
        var model = DesiredModels.Sample() with { Package = DesiredModels.Sample().Package with { Size = 1 } };

        var ex = Assert.Throws<DesiredModelException>(() => DesiredModelSigner.Sign(model, _key));

        Assert.Equal(DesiredModelChecks.Format, ex.Check);
        Assert.Contains("package.chunks has 4 hashes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sign_NotP256_RefusedKey()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);

        Assert.Throws<SigningKeyException>(() => DesiredModelSigner.Sign(DesiredModels.Sample(), p384));
    }

    [Fact]
    public void PackageChunks_Compute_HashesEachChunkAndTheWhole()
    {
        var bytes = new byte[(2 * PackageChunks.MinChunkSize) + 100];
        new Random(7).NextBytes(bytes);

        var sut = PackageChunks.Compute(new MemoryStream(bytes), PackageChunks.MinChunkSize);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), sut.Sha256);
        Assert.Equal(bytes.Length, sut.Size);
        Assert.Equal(3, sut.ChunkHashes.Count);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes.AsSpan(2 * PackageChunks.MinChunkSize))), sut.ChunkHashes[2]);
        Assert.Equal(3, PackageChunks.Count(bytes.Length, PackageChunks.MinChunkSize));
        Assert.Equal(100, PackageChunks.LengthOf(bytes.Length, PackageChunks.MinChunkSize, 2));
    }

    [Fact]
    public void PackageChunks_ExactMultiple_NoEmptyLastChunk()
    {
        var sut = PackageChunks.Compute(new MemoryStream(new byte[2 * PackageChunks.MinChunkSize]), PackageChunks.MinChunkSize);

        Assert.Equal(2, sut.ChunkHashes.Count);
        Assert.Equal(2, PackageChunks.Count(sut.Size, sut.ChunkSize));
    }
}
