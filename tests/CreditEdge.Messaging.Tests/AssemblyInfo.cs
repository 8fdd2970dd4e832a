// The product runs on Linux boards; tests drive real Mosquitto processes.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
// Broker tests start processes and ports; running them one class at a time keeps timings sane on 2 cores.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
