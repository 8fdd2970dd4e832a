using System.Diagnostics;
using System.Runtime.InteropServices;

namespace CreditEdge.TestKit;

/// <summary>POSIX signals for processes under test.</summary>
public static partial class ProcessSignals
{
    private const int SigTerm = 15;
    private const int SigKill = 9;
    private const int SigStop = 19;
    private const int SigCont = 18;

    public static void Terminate(int pid) => _ = Kill(pid, SigTerm);

    /// <summary>kill -9: the process gets no chance to flush or say goodbye.</summary>
    public static void KillHard(int pid) => _ = Kill(pid, SigKill);

    /// <summary>SIGSTOP: the process stops running but keeps its sockets open (the kernel still accepts and queues).</summary>
    public static void Freeze(int pid) => _ = Kill(pid, SigStop);

    /// <summary>SIGCONT: a frozen process runs again.</summary>
    public static void Thaw(int pid) => _ = Kill(pid, SigCont);

    /// <summary>SIGTERM, then up to <paramref name="grace"/> for a clean exit, then SIGKILL; a process already gone is left alone.</summary>
    public static async Task StopAsync(Process process, TimeSpan grace)
    {
        ArgumentNullException.ThrowIfNull(process);
        if (process.HasExited)
        {
            return;
        }

        Terminate(process.Id);
        using var timeout = new CancellationTokenSource(grace);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
