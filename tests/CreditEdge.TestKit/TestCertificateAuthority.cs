using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CreditEdge.TestKit;

/// <summary>
/// A throwaway certificate authority made in code (ECDSA P-256, CA valid for two days, what it issues for one) with its files in a temp directory:
/// the CA certificate, a broker certificate for 127.0.0.1/localhost, and client certificates whose CN is the identity
/// the broker's <c>use_identity_as_username</c> turns into the MQTT user name. Every file is PEM (certificate +
/// PKCS#8 key).
/// </summary>
public sealed class TestCertificateAuthority : IDisposable
{
    private readonly TempDirectory _dir;
    private readonly X509Certificate2 _authority;
    private readonly string _name;

    private TestCertificateAuthority(string name)
    {
        _name = name;
        _dir = new TempDirectory($"pki-{name}");
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN=CreditEdge test CA {name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        var now = DateTimeOffset.UtcNow;
        _authority = request.CreateSelfSigned(now.AddMinutes(-10), now.AddDays(2));
        CaFile = _dir.Combine("ca.crt");
        File.WriteAllText(CaFile, _authority.ExportCertificatePem());
        Server = Issue("broker", "localhost", server: true);
    }

    /// <summary>The CA certificate (PEM): the broker's <c>cafile</c> and a client's <c>Mqtt:CaFile</c>.</summary>
    public string CaFile { get; }

    /// <summary>The broker's certificate: CN localhost, SAN IP 127.0.0.1 and DNS localhost, server authentication.</summary>
    public CertificateFiles Server { get; }

    /// <summary>Creates a CA with its broker certificate. <paramref name="name"/> tells two CAs apart in their subjects.</summary>
    public static TestCertificateAuthority Create(string name = "main") => new(name);

    /// <summary>Issues a client certificate (client authentication) whose subject is <c>CN=<paramref name="commonName"/></c>.</summary>
    public CertificateFiles IssueClient(string commonName) => Issue($"client-{commonName}", commonName, server: false);

    private CertificateFiles Issue(string fileName, string commonName, bool server)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={commonName}"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [server ? new Oid("1.3.6.1.5.5.7.3.1", "Server Authentication") : new Oid("1.3.6.1.5.5.7.3.2", "Client Authentication")], critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_authority, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        if (server)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(IPAddress.Loopback);
            names.AddDnsName("localhost");
            request.CertificateExtensions.Add(names.Build());
        }

        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f; // a positive serial number
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.Create(_authority, now.AddMinutes(-5), now.AddDays(1), serial);
        var files = new CertificateFiles(_dir.Combine($"{fileName}.crt"), _dir.Combine($"{fileName}.key"), commonName, _name);
        File.WriteAllText(files.CertificateFile, certificate.ExportCertificatePem());
        File.WriteAllText(files.KeyFile, key.ExportPkcs8PrivateKeyPem());
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(files.KeyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        return files;
    }

    public void Dispose()
    {
        _authority.Dispose();
        _dir.Dispose();
    }
}
