using System.Globalization;

namespace CreditEdge.Agent.Fleet;

/// <summary>Board health where Linux exposes it: SoC temperature and available memory. Null where it does not.</summary>
internal static class DeviceHealth
{
    public static double? CpuTemperatureCelsius(string thermalZone = "/sys/class/thermal/thermal_zone0/temp")
    {
        try
        {
            return File.Exists(thermalZone) && long.TryParse(File.ReadAllText(thermalZone).Trim(), CultureInfo.InvariantCulture, out var milli)
                ? milli / 1000.0
                : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    public static long? MemoryAvailableBytes(string meminfo = "/proc/meminfo")
    {
        try
        {
            foreach (var line in File.ReadLines(meminfo))
            {
                if (line.StartsWith("MemAvailable:", StringComparison.Ordinal))
                {
                    var kb = line["MemAvailable:".Length..].Trim().Split(' ')[0];
                    return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
            // not Linux, or /proc not mounted
        }

        return null;
    }
}
