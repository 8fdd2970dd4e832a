using System.Text;
using CsCheck;

namespace CreditEdge.TestKit;

/// <summary>
/// Generators of hostile request bodies for fuzz tests: a real body mutated by byte flips, insertions, deletions,
/// duplications and splices of JSON tokens chosen to hurt parsers (lone surrogate escapes, NUL, huge and non-finite
/// numbers, deep nesting, duplicate keys, wrong types, truncation), plus wholly random bytes.
/// </summary>
public static class HostileBodies
{
    private static readonly string[] Tokens =
    [
        "{", "}", "[", "]", "\"", "\\", ",", ":", "null", "true", "false", "-", "0", "-0", "1e400", "-1e400", "1e-400",
        "NaN", "Infinity", "9007199254740993", "3.4028236e38", "\"\\ud800\"", "\"\\udc00x\"", "\"\\u0000\"", "\"\\uD83D\\uDE00\"",
        "\"features\"", "\"applicationId\"", "\"AGE\"", "\"EDUCATION\"", "\"CREDIT_LIMIT\"", "\"x0\"", "{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":{\"g\":{\"h\":{}}}}}}}}}",
        new string('[', 64), new string(']', 64), "\"" + new string('A', 300) + "\"", "\u00e9", "\u2028", "\uFEFF", "\t\r\n ", "\"features\":{}", "/*", "//",
    ];

    /// <summary>A mutated copy of one of <paramref name="seeds"/> (UTF-8 bytes), or random bytes one time in twenty.</summary>
    public static Gen<byte[]> From(IReadOnlyList<string> seeds)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        var seedBytes = seeds.Select(Encoding.UTF8.GetBytes).ToArray();
        var mutation = Gen.Select(Gen.Int[0, 6], Gen.Int[0, int.MaxValue], Gen.Byte, Gen.Int[0, Tokens.Length - 1]);
        var mutated = Gen.Select(Gen.Int[0, seedBytes.Length - 1], mutation.Array[1, 6], (seed, ops) => Mutate(seedBytes[seed], ops));
        var random = Gen.Byte.Array[0, 400];
        return Gen.Frequency((19, mutated), (1, random));
    }

    private static byte[] Mutate(byte[] seed, (int Op, int Position, byte Value, int Token)[] ops)
    {
        var bytes = new List<byte>(seed);
        foreach (var (op, position, value, token) in ops)
        {
            var at = bytes.Count == 0 ? 0 : position % (bytes.Count + 1);
            var text = Encoding.UTF8.GetBytes(Tokens[token]);
            switch (op)
            {
                case 0 when at < bytes.Count:
                    bytes[at] = value; // flip a byte (any value, invalid UTF-8 included)
                    break;
                case 1:
                    bytes.Insert(at, value);
                    break;
                case 2 when at < bytes.Count:
                    bytes.RemoveRange(at, Math.Min(1 + (position % 8), bytes.Count - at));
                    break;
                case 3:
                    bytes.InsertRange(at, text); // splice a hostile token
                    break;
                case 4 when at < bytes.Count:
                    bytes.RemoveRange(at, bytes.Count - at); // truncate
                    break;
                case 5 when bytes.Count > 0:
                    var start = position % bytes.Count;
                    var length = Math.Min(1 + (position % 40), bytes.Count - start);
                    bytes.InsertRange(at, bytes.GetRange(start, length)); // duplicate a slice (duplicate keys, repeated values)
                    break;
                default:
                    bytes.InsertRange(at, text);
                    break;
            }
        }

        return [.. bytes];
    }
}
