using System.Text;

namespace CreditEdge.Storage;

/// <summary>
/// An exclusive lock on a data directory, held for the life of the process. LiteDB's direct mode takes no lock between
/// processes, so two agents (or an agent and a tool) writing one file would corrupt it; this lock refuses the second.
/// On Linux .NET maps <see cref="FileShare.None"/> to <c>flock(LOCK_EX | LOCK_NB)</c>, released by the kernel when the process dies.
/// </summary>
public sealed class DataDirectoryLock : IDisposable
{
    public const string FileName = "creditedge.lock";

    private readonly FileStream _stream;

    private DataDirectoryLock(FileStream stream, string path)
    {
        _stream = stream;
        Path = path;
    }

    public string Path { get; }

    public static DataDirectoryLock Acquire(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        var path = System.IO.Path.Combine(System.IO.Path.GetFullPath(dataDirectory), FileName);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
        }
        catch (IOException ex)
        {
            throw new StorageException(
                $"data directory '{dataDirectory}' is in use by another CreditEdge process ({Holder(path)}); stop it first, or give this one its own DataDirectory",
                ex);
        }

        // The lock file itself cannot be read by others while locked, so the holder is named in a file beside it.
        File.WriteAllText(path + ".pid", $"pid {Environment.ProcessId}\n", Encoding.UTF8);
        return new DataDirectoryLock(stream, path);
    }

    public void Dispose() => _stream.Dispose();

    private static string Holder(string path)
    {
        try
        {
            var line = File.ReadAllText(path + ".pid").Trim();
            return line.Length == 0 ? "holder unknown" : line;
        }
        catch (IOException)
        {
            return "holder unknown";
        }
    }
}
