using System.Security.Cryptography;
using CreditEdge.Core.Packages.Signing;

namespace CreditEdge.Core.Packages.Rollout;

/// <summary>
/// Signs a desired model the way packages are signed (<see cref="PackageSigner"/>): a COSE_Sign1, ES256, embedding the
/// canonical JSON document, with <c>alg</c> and <c>kid</c> (<see cref="SigningKeys.KeyId"/>, ASCII) in the protected header.
/// </summary>
public static class DesiredModelSigner
{
    /// <summary>
    /// The message to publish (retained) on the target's desired topic. Refuses (<see cref="DesiredModelException"/>,
    /// <c>desired-format</c>) a model <see cref="DesiredModelReader"/> would refuse, and a key that is not P-256
    /// (<see cref="SigningKeyException"/>).
    /// </summary>
    public static byte[] Sign(DesiredModel model, ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(model);
        SignedDocument.RequireEs256Key(key);
        DesiredModelJson.Validate(model);
        var payload = DesiredModelJson.Write(model);
        if (payload.Length > DesiredModel.MaxMessageBytes - 1024)
        {
            throw new DesiredModelException(DesiredModelChecks.Format,
                $"the document has {payload.Length} bytes ({model.Package.Chunks.Count} chunks); a larger --chunk-size makes it fit {DesiredModel.MaxMessageBytes} bytes");
        }

        return SignedDocument.Sign(payload, key);
    }
}
