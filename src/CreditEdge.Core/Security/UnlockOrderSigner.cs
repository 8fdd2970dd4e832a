using System.Security.Cryptography;
using CreditEdge.Core.Packages.Signing;

namespace CreditEdge.Core.Security;

/// <summary>
/// Signs an unlock order the way desired models are signed (<see cref="SignedDocument"/>): a COSE_Sign1, ES256, embedding
/// the canonical JSON document (<see cref="UnlockOrderDocument"/>), with <c>alg</c> and <c>kid</c>
/// (<see cref="SigningKeys.KeyId"/>, ASCII) in the protected header.
/// </summary>
public static class UnlockOrderSigner
{
    /// <summary>
    /// The signed order (at most <see cref="UnlockOrder.MaxMessageBytes"/>). Refuses (<see cref="UnlockOrderException"/>,
    /// <c>unlock-format</c>) an order <see cref="UnlockOrderReader"/> would refuse, naming the field, its value and the
    /// rule, and a key that is not P-256 (<see cref="SigningKeyException"/>).
    /// </summary>
    public static byte[] Sign(UnlockOrder order, ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(order);
        SignedDocument.RequireEs256Key(key);
        UnlockOrderDocument.Validate(order);
        var message = SignedDocument.Sign(UnlockOrderDocument.Write(order), key);
        if (message.Length > UnlockOrder.MaxMessageBytes)
        {
            // the field rules keep an order far below this; should they change, a device must still accept what is signed
            throw new UnlockOrderException(UnlockOrderChecks.Format, $"the signed order has {message.Length} bytes; at most {UnlockOrder.MaxMessageBytes} are accepted");
        }

        return message;
    }
}
