using System.Buffers;
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

    public static string Link(string previousHash, string decisionJson) => Link(previousHash, Encoding.UTF8.GetBytes(decisionJson));

    /// <summary>As <see cref="Link(string, string)"/>, for JSON already in UTF-8 (the writer's path: no copies on the heap).</summary>
    public static string Link(string previousHash, ReadOnlySpan<byte> decisionJsonUtf8)
    {
        var length = previousHash.Length / 2 + decisionJsonUtf8.Length;
        byte[]? rented = null;
        var buffer = length <= 4096 ? stackalloc byte[length] : (rented = ArrayPool<byte>.Shared.Rent(length)).AsSpan(0, length);
        try
        {
            if (Convert.FromHexString(previousHash, buffer, out _, out var written) != OperationStatus.Done)
            {
                throw new FormatException($"the previous link's hash is not hex: '{previousHash}'");
            }

            decisionJsonUtf8.CopyTo(buffer[written..]);
            Span<byte> link = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(buffer[..(written + decisionJsonUtf8.Length)], link);
            return Convert.ToHexStringLower(link);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
