// The product runs on Linux boards; tests check Unix file modes and run systemd's tools.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
