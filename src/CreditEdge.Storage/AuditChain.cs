using System.Security.Cryptography;
using System.Text;

namespace CreditEdge.Storage;

/// <summary>
/// The audit chain: link n stores SHA-256(hash of link n−1 ‖ UTF-8 canonical JSON of decision n). Changing, removing or
/// reordering any stored decision breaks every later link.
/// </summary>
public static class AuditChain
{
    /// <summary>The hash before the first link.</summary>
    public static readonly string Genesis = new('0', 64);

    public static string Link(string previousHash, string decisionJson)
    {
        var previous = Convert.FromHexString(previousHash);
        var payload = Encoding.UTF8.GetBytes(decisionJson);
        var buffer = new byte[previous.Length + payload.Length];
        previous.CopyTo(buffer, 0);
        payload.CopyTo(buffer, previous.Length);
        return Convert.ToHexStringLower(SHA256.HashData(buffer));
    }
}
