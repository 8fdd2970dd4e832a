using System.Security.Cryptography;
using CreditEdge.Storage;
using CreditEdge.TestKit;
using Microsoft.Extensions.Logging.Abstractions;

namespace CreditEdge.Storage.Tests;

/// <summary>A decisions.db (or its log) damaged while the agent was off is refused at open, named, and left as it was.</summary>
public sealed class DamagedFileTests : IDisposable
{
    private readonly TempDirectory _dir = new("damaged");

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(DecisionStoreSettings.DatabaseFile, "truncate")]
    [InlineData(DecisionStoreSettings.DatabaseFile, "garble")]
    [InlineData(DecisionStoreSettings.DatabaseFile, "header")]
    public async Task Open_DamagedFile_RefusedNamingItAndNeverOverwritten(string file, string damage)
    {
        using (var store = CreateSut())
        {
            for (var i = 0; i < 300; i++)
            {
                await store.SaveAsync(SampleDecisions.Create(i), CancellationToken.None);
            }
        }

        var path = _dir.Combine(file);
        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length >= 16384, $"{file} holds {bytes.Length} bytes");
        switch (damage)
        {
            case "truncate":
                bytes = bytes[..(bytes.Length / 2 / 8192 * 8192 + 100)];
                break;
            case "garble":
                RandomNumberGenerator.Fill(bytes.AsSpan(8192, 8192));
                break;
            default:
                RandomNumberGenerator.Fill(bytes.AsSpan(0, 512));
                break;
        }

        File.WriteAllBytes(path, bytes);
        var before = SHA256.HashData(File.ReadAllBytes(path));

        Exception? failure = null;
        try
        {
            using var store = CreateSut();
            var report = store.VerifyAuditChain();
            Assert.False(report.Intact, "damage must not pass unnoticed");
        }
        catch (StorageException ex)
        {
            failure = ex;
        }

        if (failure is not null)
        {
            Assert.Contains(DecisionStoreSettings.DatabaseFile, failure.Message, StringComparison.Ordinal);
        }

        Assert.Equal(before, SHA256.HashData(File.ReadAllBytes(path)));
    }

    private LiteDecisionStore CreateSut() =>
        LiteDecisionStore.Open(new DecisionStoreSettings { DataDirectory = _dir.Path }, NullLogger.Instance);
}
