namespace CreditEdge.TestKit;

/// <summary>A certificate and its private key as PEM files, with the CN it carries and the test CA that signed it.</summary>
public sealed record CertificateFiles(string CertificateFile, string KeyFile, string CommonName, string Authority);
