// Who allocates: the GC's allocation ticks (one per ~100 KB allocated) of a dotnet-trace gc-verbose trace, summed by type,
// by the first frame in LiteDB, CreditEdge, ASP.NET Core or System.Text.Json, and by stack. Writes Markdown to stdout.
// Usage: allocations TRACE.nettrace
using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

if (args.Length != 1 || !File.Exists(args[0]))
{
    Console.Error.WriteLine("usage: allocations TRACE.nettrace (a dotnet-trace collect --profile gc-verbose trace)");
    return 2;
}

using var log = new TraceLog(TraceLog.CreateFromEventPipeDataFile(args[0]));
var byType = new Dictionary<string, long>();
var byFrame = new Dictionary<string, long>();
var byStack = new Dictionary<string, long>();
long total = 0;
foreach (var traceEvent in log.Events)
{
    if (traceEvent is not GCAllocationTickTraceData tick)
    {
        continue;
    }

    var amount = tick.AllocationAmount64;
    total += amount;
    Add(byType, tick.TypeName, amount);
    var frames = new List<string>();
    for (var frame = tick.CallStack(); frame is not null && frames.Count < 12; frame = frame.Caller)
    {
        var method = frame.CodeAddress.FullMethodName;
        frames.Add(string.IsNullOrEmpty(method) ? frame.CodeAddress.ModuleName + "!?" : method);
    }

    var own = frames.FirstOrDefault(f => f.StartsWith("LiteDB", StringComparison.Ordinal) || f.StartsWith("CreditEdge", StringComparison.Ordinal)
        || f.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) || f.StartsWith("System.Text.Json", StringComparison.Ordinal)) ?? frames.FirstOrDefault() ?? "?";
    Add(byFrame, own, amount);
    Add(byStack, tick.TypeName + " ← " + string.Join(" ← ", frames.Take(6)), amount);
}

if (total == 0)
{
    Console.Error.WriteLine($"{args[0]} holds no allocation ticks: collect it with --profile gc-verbose");
    return 1;
}

Console.WriteLine($"Allocated while tracing, summed from the allocation ticks (one per ~100 KB): {total / 1e6:F1} MB.");
Console.WriteLine();
var liteDb = byFrame.Where(kv => kv.Key.StartsWith("LiteDB", StringComparison.Ordinal)).Sum(kv => kv.Value);
var ours = byFrame.Where(kv => kv.Key.StartsWith("CreditEdge", StringComparison.Ordinal)).Sum(kv => kv.Value);
Console.WriteLine($"First frame in LiteDB: {100.0 * liteDb / total:F1} %; in CreditEdge: {100.0 * ours / total:F1} %.");
Table("By type", byType, 25);
Table("By first frame in LiteDB, CreditEdge, ASP.NET Core or System.Text.Json", byFrame, 30);
Table("By stack (type ← six innermost frames)", byStack, 20);
return 0;

void Table(string title, Dictionary<string, long> sums, int rows)
{
    Console.WriteLine();
    Console.WriteLine($"## {title}");
    Console.WriteLine();
    Console.WriteLine("| share | what |");
    Console.WriteLine("|---|---|");
    foreach (var (what, bytes) in sums.OrderByDescending(kv => kv.Value).Take(rows))
    {
        Console.WriteLine($"| {100.0 * bytes / total:F1} % | `{what.Replace("|", "\\|", StringComparison.Ordinal)}` |");
    }
}

static void Add(Dictionary<string, long> sums, string key, long amount) => sums[key] = sums.GetValueOrDefault(key) + amount;
