using System.Text.Json;
using CreditEdge.Core.Audit;

namespace CreditEdge.Core.Tests.Audit;

public sealed class AuditEventJsonTests
{
    private static readonly DateTimeOffset At = new(2026, 3, 1, 9, 30, 0, TimeSpan.FromHours(1));

    private static string Json(AuditEvent e) => JsonSerializer.Serialize(e, AuditEventJson.Default.AuditEvent);

    [Fact]
    public void Serialize_Event_CanonicalCamelCaseInDeclarationOrder()
    {
        var json = Json(new AuditEvent("tamper-unlocked", At, "unlocked by operator op-17", new Dictionary<string, string> { ["operator"] = "op-17" }));

        Assert.Equal("""{"type":"tamper-unlocked","at":"2026-03-01T09:30:00+01:00","detail":"unlocked by operator op-17","data":{"operator":"op-17"}}""", json);
    }

    [Fact]
    public void Serialize_DataBuiltInAnyOrder_SameJson()
    {
        var a = new AuditEvent("key-revoked", At, "terminal key revoked", new Dictionary<string, string> { ["key"] = "k1", ["by"] = "office", ["Z"] = "z" });
        var b = new AuditEvent("key-revoked", At, "terminal key revoked", new Dictionary<string, string> { ["Z"] = "z", ["key"] = "k1", ["by"] = "office" });

        Assert.Equal(Json(a), Json(b));
        Assert.Equal(Json(a), Json(b with { Data = new Dictionary<string, string> { ["by"] = "office", ["key"] = "k1", ["Z"] = "z" } }));
        Assert.Contains("""{"Z":"z","by":"office","key":"k1"}""", Json(a), StringComparison.Ordinal);
    }

    [Fact]
    public void Deserialize_SerializedEvent_SameEventAndSameJsonAgain()
    {
        var json = Json(new AuditEvent("tamper-opened", At, "enclosure opened", new Dictionary<string, string> { ["switch"] = "2" }));

        var read = JsonSerializer.Deserialize(json, AuditEventJson.Default.AuditEvent)!;

        Assert.Equal(("tamper-opened", At, "enclosure opened", "2"), (read.Type, read.At, read.Detail, read.Data!["switch"]));
        Assert.Equal(json, Json(read));
        Assert.Equal("""{"type":"tamper-opened","at":"2026-03-01T09:30:00+01:00","detail":"enclosure opened","data":null}""", Json(read with { Data = null }));
    }
}
