// The product runs on Linux boards; tests check Unix file modes and processes.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
