using System.Runtime.InteropServices;

namespace CreditEdge.TestKit;

/// <summary>POSIX signals for processes under test.</summary>
public static partial class ProcessSignals
{
    private const int SigTerm = 15;
    private const int SigKill = 9;

    public static void Terminate(int pid) => _ = Kill(pid, SigTerm);

    /// <summary>kill -9: the process gets no chance to flush or say goodbye.</summary>
    public static void KillHard(int pid) => _ = Kill(pid, SigKill);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
