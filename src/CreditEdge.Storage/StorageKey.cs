using System.Security.Cryptography;

namespace CreditEdge.Storage;

/// <summary>
/// The key that encrypts the decision store: 32 random bytes, base64 in a file readable by the agent's user only (0600).
/// Created on first start; never created when a store already exists (a new key could not open it).
/// </summary>
public static class StorageKey
{
    private const int KeyBytes = 32;
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode GroupOrOther = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Reads the key file, or creates it when neither it nor the store exists yet. Returns the LiteDB password.</summary>
    public static string LoadOrCreate(string keyFile, bool storeExists)
    {
        if (!File.Exists(keyFile))
        {
            if (storeExists)
            {
                throw new StorageException($"key file '{keyFile}' is missing but the decision store already exists; restore the key file (a new key cannot open the store)");
            }

            Create(keyFile);
        }

        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(keyFile);
            if ((mode & GroupOrOther) != 0)
            {
                throw new StorageException($"key file '{keyFile}' is accessible to other users (mode {Convert.ToString((int)mode, 8)}); run: chmod 600 '{keyFile}'");
            }
        }

        var text = File.ReadAllText(keyFile).Trim();
        byte[] key;
        try
        {
            key = Convert.FromBase64String(text);
        }
        catch (FormatException ex)
        {
            throw new StorageException($"key file '{keyFile}' is not a base64 key", ex);
        }

        if (key.Length != KeyBytes)
        {
            throw new StorageException($"key file '{keyFile}' holds {key.Length} bytes; a key has {KeyBytes}");
        }

        return text;
    }

    /// <summary>
    /// A per-device secret of the same form (e.g. the applicant-id salt): read, or created on first use. Unlike the store's
    /// key, losing it loses nothing stored; ids hashed after a new one is made no longer match earlier ones.
    /// </summary>
    public static byte[] LoadOrCreateSecret(string file) => Convert.FromBase64String(LoadOrCreate(file, storeExists: false));

    private static void Create(string keyFile)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(keyFile))!;
        Directory.CreateDirectory(directory);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
        }

        using var stream = new FileStream(keyFile, options);
        using var writer = new StreamWriter(stream);
        writer.Write(Convert.ToBase64String(RandomNumberGenerator.GetBytes(KeyBytes)));
        writer.Flush();
        stream.Flush(flushToDisk: true);
    }
}
