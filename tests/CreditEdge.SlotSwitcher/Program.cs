using CreditEdge.Agent.Models;
using Microsoft.Extensions.Logging.Abstractions;

// creditedge-slot-switcher DATA_DIR PACKAGE_1 PACKAGE_2: forever, install the next package into the inactive slot and
// activate it, alternating; one stdout line per finished switch ("switched N slot version"). Ends only when killed.
if (args.Length != 3)
{
    await Console.Error.WriteLineAsync("usage: creditedge-slot-switcher DATA_DIR PACKAGE_1 PACKAGE_2");
    return 2;
}

var slots = new ModelSlots(args[0], NullLogger<ModelSlots>.Instance);
string[] packages = [args[1], args[2]];
string[] versions = [.. packages.Select(VersionOf)];
var next = slots.ReadActive() is { } active && active.Version == versions[0] ? 1 : 0;
await Console.Out.WriteLineAsync("started");
for (long switches = 1; ; switches++)
{
    var slot = slots.Install(packages[next]);
    var previous = slots.ReadActive()?.Slot;
    slots.Activate(slot, new ActiveModelRecord(slot, "taiwan-credit", versions[next], null, switches, previous, DateTimeOffset.UtcNow));
    await Console.Out.WriteLineAsync($"switched {switches} {slot} {versions[next]}");
    next = 1 - next;
}

static string VersionOf(string package)
{
    using var manifest = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(Path.Combine(package, "manifest.json")));
    return manifest.RootElement.GetProperty("version").GetString()!;
}
