// The product runs on Linux boards; tests check Unix file modes.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
