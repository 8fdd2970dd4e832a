using System.Diagnostics;
using CreditEdge.TestKit;

namespace CreditEdge.Office.Tests;

public sealed class OfficeConfigTests(PostgresCluster cluster) : IClassFixture<PostgresCluster>
{
    [Theory]
    [InlineData("Office:Broker is required", "--database", "Host=127.0.0.1")]
    [InlineData("Office:Broker must be mqtt://host:port or mqtts://host:port", "--broker", "http://127.0.0.1:1883", "--database", "Host=127.0.0.1")]
    [InlineData("Office:Database is not an Npgsql connection string", "--broker", "mqtt://127.0.0.1:1883", "--database", "Hots=127.0.0.1")]
    [InlineData("Office:Workers must be 1-64", "--broker", "mqtt://127.0.0.1:1883", "--database", "Host=127.0.0.1", "--workers", "0")]
    public async Task Start_BadOption_ExitsOneWithOneLineNamingTheKey(string expected, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in (string[])[Path.Combine(AppContext.BaseDirectory, "creditedge-office.dll"), "--urls", $"http://127.0.0.1:{LoopbackPort.Free()}", .. args])
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal(1, process.ExitCode);
        var lines = (await stderr).Trim().Split('\n');
        Assert.Single(lines);
        Assert.StartsWith("creditedge-office: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(expected, lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ingest_ShippedAclOfficeUser_SharedSubscriptionsAllowed()
    {
        var database = await cluster.CreateDatabaseAsync();
        await using var broker = await MosquittoBroker.StartShippedAclAsync("pw", "office", "kiosk-acl");
        await using var office = await InProcessOffice.StartAsync(broker.Url, database, "--workers", "2", "--username", "office", "--password", "pw");
        await IngestTests.WaitReadyAsync(office);
        await using var device = new DevicePublisher(broker.Url, "kiosk-acl", "kiosk-acl", "pw");
        var decisions = device.MakeDecisions(0, 30);

        foreach (var decision in decisions)
        {
            await device.PublishDecisionAsync(decision, CancellationToken.None);
        }

        await OfficeDatabase.AssertExactlyOnceAsync(database, decisions.Select(d => d.DecisionId).ToList(), TimeSpan.FromSeconds(20));
    }
}
