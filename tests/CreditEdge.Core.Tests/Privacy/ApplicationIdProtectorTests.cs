using CreditEdge.Core.Privacy;

namespace CreditEdge.Core.Tests.Privacy;

public sealed class ApplicationIdProtectorTests
{
    [Fact]
    public void Protect_Rfc4231TestCase1_GivesPublishedHmac()
    {
        // RFC 4231 test case 1: key 0x0b × 20, data "Hi There"
        var protector = ApplicationIdProtector.Hash(Enumerable.Repeat((byte)0x0b, 20).ToArray());

        Assert.Equal("hmac-sha256:b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7", protector.Protect("Hi There"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(128)]
    [InlineData(129)]
    [InlineData(5000)]
    public void Protect_IdsShortAndLongAndNotAscii_TheHmacOfTheirUtf8(int length)
    {
        // ids of up to 256 UTF-8 bytes are hashed from the stack, longer ones from the heap (é is two bytes: 128 of them
        // fit, 129 do not): the same HMAC either way
        var salt = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var id = new string('é', length);
        var expected = "hmac-sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(salt, System.Text.Encoding.UTF8.GetBytes(id)));

        Assert.Equal(expected, ApplicationIdProtector.Hash(salt).Protect(id));
    }

    [Fact]
    public void Protect_DifferentSalts_GiveDifferentValuesForTheSameId()
    {
        var a = ApplicationIdProtector.Hash(new byte[32]);
        var b = ApplicationIdProtector.Hash(Enumerable.Repeat((byte)1, 32).ToArray());

        Assert.NotEqual(a.Protect("app-1"), b.Protect("app-1"));
        Assert.Equal(a.Protect("app-1"), a.Protect("app-1"));
    }

    [Fact]
    public void Protect_Null_StaysNull()
    {
        Assert.Null(ApplicationIdProtector.Hash(new byte[32]).Protect(null));
    }

    [Fact]
    public void Protect_Keep_ReturnsIdAsGiven()
    {
        Assert.Equal("app-1", ApplicationIdProtector.Keep.Protect("app-1"));
        Assert.False(ApplicationIdProtector.Keep.Hashes);
    }

    [Fact]
    public void Hash_ShortSalt_Refused()
    {
        var ex = Assert.Throws<ArgumentException>(() => ApplicationIdProtector.Hash(new byte[8]));
        Assert.Contains("16 bytes", ex.Message, StringComparison.Ordinal);
    }
}
