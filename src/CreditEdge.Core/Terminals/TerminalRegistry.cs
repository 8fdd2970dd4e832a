using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CreditEdge.Core.IO;

namespace CreditEdge.Core.Terminals;

/// <summary>
/// The per-terminal API keys of a device (README "Terminals (handhelds)"): <c>&lt;DataDirectory&gt;/terminals.json</c>,
/// an array of <see cref="TerminalEntry"/>, written by <c>cedge terminal add|revoke</c> and read by the agent. Immutable:
/// <see cref="Add"/> and <see cref="Revoke"/> return a new registry. Only each key's SHA-256 is stored.
/// </summary>
public sealed class TerminalRegistry
{
    public const string FileName = "terminals.json";

    /// <summary>Held (flock) by a <c>cedge</c> run while it reads, changes and writes the registry.</summary>
    public const string LockFileName = "terminals.lock";

    /// <summary>What every key starts with, so a leaked key is recognisable (e.g. by secret scanners).</summary>
    public const string KeyPrefix = "ce_";

    public const int MaxIdLength = 64;

    /// <summary>The registry file's mode: the agent's user only.</summary>
    public const UnixFileMode UnixMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const int KeyBytes = 32;

    private TerminalRegistry(IReadOnlyList<TerminalEntry> entries) => Entries = entries;

    public static TerminalRegistry Empty { get; } = new([]);

    /// <summary>The terminals in the order they were added, revoked ones included (an id is never reused).</summary>
    public IReadOnlyList<TerminalEntry> Entries { get; }

    public static string PathIn(string dataDirectory) => Path.Combine(Path.GetFullPath(dataDirectory), FileName);

    public TerminalEntry? Find(string id) => Entries.FirstOrDefault(e => e.Id == id);

    /// <summary>The registry in <paramref name="path"/>; empty when the file does not exist. A damaged file is a <see cref="TerminalRegistryException"/> naming it and why.</summary>
    public static TerminalRegistry Read(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (FileNotFoundException)
        {
            return Empty;
        }
        catch (DirectoryNotFoundException)
        {
            return Empty;
        }

        return Parse(bytes, path);
    }

    /// <summary>Parses and checks a registry: every id and hash well-formed, no id or key twice.</summary>
    public static TerminalRegistry Parse(ReadOnlySpan<byte> json, string source)
    {
        List<TerminalEntry>? entries;
        try
        {
            entries = JsonSerializer.Deserialize(json, TerminalRegistryJson.Default.ListTerminalEntry);
        }
        catch (JsonException ex)
        {
            throw Damaged(source, ex.Message, ex);
        }

        if (entries is null)
        {
            throw Damaged(source, "it holds null, not an array of terminals");
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i] ?? throw Damaged(source, $"entry {i} is null");
            if (IdProblem(entry.Id) is { } idProblem)
            {
                throw Damaged(source, $"entry {i}: {idProblem}");
            }

            if (!IsSha256Hex(entry.KeySha256))
            {
                throw Damaged(source, $"terminal '{entry.Id}': keySha256 is not 64 lower-case hex digits");
            }

            if (!ids.Add(entry.Id))
            {
                throw Damaged(source, $"terminal '{entry.Id}' is listed twice");
            }

            if (!keys.Add(entry.KeySha256))
            {
                throw Damaged(source, $"terminal '{entry.Id}' has the same key as an earlier terminal");
            }

            if (entry.RevokedAt < entry.CreatedAt)
            {
                throw Damaged(source, $"terminal '{entry.Id}' is revoked before it was created");
            }
        }

        return new TerminalRegistry(entries);
    }

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(Entries.ToList(), TerminalRegistryJson.Default.ListTerminalEntry);

    /// <summary>Replaces <paramref name="path"/> atomically (old bytes or new after a power cut), mode 0600.</summary>
    public void Write(string path)
    {
        AtomicFile.Write(path, ToJson(), unixCreateMode: UnixMode);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixMode); // a file an operator created by hand keeps no wider mode either
        }
    }

    /// <summary>A registry with one more terminal; refused for a malformed or taken id, or a key already in use.</summary>
    public TerminalRegistry Add(string id, string keySha256, DateTimeOffset at)
    {
        if (IdProblem(id) is { } problem)
        {
            throw new TerminalRegistryException(problem);
        }

        if (Find(id) is { } existing)
        {
            throw new TerminalRegistryException(existing.IsRevoked
                ? $"terminal id '{id}' was used before (revoked {existing.RevokedAt:u}); ids are never reused, choose another"
                : $"terminal '{id}' already exists; revoke it first or choose another id");
        }

        if (!IsSha256Hex(keySha256))
        {
            throw new TerminalRegistryException("a key hash must be 64 lower-case hex digits");
        }

        if (Entries.Any(e => e.KeySha256 == keySha256))
        {
            throw new TerminalRegistryException("this key is already given to another terminal");
        }

        return new TerminalRegistry([.. Entries, new TerminalEntry(id, keySha256, at)]);
    }

    /// <summary>A registry with terminal <paramref name="id"/> revoked; refused for an unknown or already revoked id.</summary>
    public TerminalRegistry Revoke(string id, DateTimeOffset at)
    {
        var existing = Find(id) ?? throw new TerminalRegistryException($"no terminal '{id}' in the registry ('cedge terminal list' shows them)");
        if (existing.RevokedAt is { } revoked)
        {
            throw new TerminalRegistryException($"terminal '{id}' is already revoked (since {revoked:u})");
        }

        return new TerminalRegistry([.. Entries.Select(e => e.Id == id ? e with { RevokedAt = at } : e)]);
    }

    /// <summary>Why <paramref name="id"/> is not a terminal id (<c>[a-z0-9-]{1,64}</c>), or null when it is one.</summary>
    public static string? IdProblem(string? id)
    {
        if (string.IsNullOrEmpty(id))
        {
            return "a terminal id must not be empty";
        }

        if (id.Length > MaxIdLength)
        {
            return $"terminal id '{id[..16]}…' is {id.Length} characters; at most {MaxIdLength}";
        }

        return id.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-')
            ? null
            : $"terminal id '{id}' may hold only lower-case letters, digits and '-'";
    }

    /// <summary>A new key: <c>ce_</c> + 32 random bytes in base64url (no padding).</summary>
    public static string NewKey() => KeyPrefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(KeyBytes));

    /// <summary>Lower-case hex SHA-256 of the key's UTF-8 text, as stored.</summary>
    public static string HashKey(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>
    /// Takes the registry's lock file in <paramref name="dataDirectory"/> (flock), waiting up to <paramref name="wait"/>
    /// for another <c>cedge</c> run to finish; a <see cref="TerminalRegistryException"/> if it does not.
    /// </summary>
    public static FileStream Lock(string dataDirectory, TimeSpan wait, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        var path = Path.Combine(Path.GetFullPath(dataDirectory), LockFileName);
        var started = time.GetTimestamp();
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
            }
            catch (IOException ex) when (ex is not FileNotFoundException and not DirectoryNotFoundException)
            {
                if (time.GetElapsedTime(started) >= wait)
                {
                    throw new TerminalRegistryException($"another cedge run is changing the terminals of {dataDirectory} ({path} is locked); try again when it has finished", ex);
                }
            }

            Thread.Sleep(50);
        }
    }

    private static bool IsSha256Hex(string? value) =>
        value is { Length: 64 } && value.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));

    private static TerminalRegistryException Damaged(string source, string reason, Exception? inner = null)
    {
        var message = $"the terminal registry {source} is damaged ({reason}); it was left as it is: restore it from a backup or fix it by hand";
        return inner is null ? new TerminalRegistryException(message) : new TerminalRegistryException(message, inner);
    }
}
