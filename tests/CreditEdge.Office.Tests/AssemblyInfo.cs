// The office runs on Linux; tests drive real Mosquitto and PostgreSQL processes.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
// Broker and database tests start processes and ports; one class at a time keeps timings sane on 2 cores.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
