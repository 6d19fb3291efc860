namespace Analytics.Cli;

/// <summary>The process's peak resident memory, for the benchmarks' memory targets.</summary>
public static class PeakMemory
{
    public static double WorkingSetMegabytes()
    {
        // VmHWM is the kernel's high-water mark of resident memory; Process.PeakWorkingSet64 reads the same on Linux.
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return process.PeakWorkingSet64 / (1024.0 * 1024.0);
    }
}
