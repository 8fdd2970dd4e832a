using System.Net.Http.Json;
using System.Text.Json;
using CreditEdge.Agent.Models;
using CreditEdge.Agent.Options;
using CreditEdge.Inference;
using CreditEdge.TestKit;
using Microsoft.Extensions.Time.Testing;

namespace CreditEdge.Agent.Tests;

/// <summary>What the agent runs at start given the slots and the pointer, on real packages in real ORT sessions.</summary>
public sealed class ModelHostSlotTests : IDisposable
{
    private static readonly DateTimeOffset At = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
    private readonly TempDirectory _temp = new("model-host-slots");
    private readonly ListLogger<ModelHost> _logger = new();
    private readonly ListLogger<ModelSlots> _slotLogger = new();

    public ModelHostSlotTests()
    {
        SlotPackages.CopyDefault(Configured, "1.0.0-configured");
        SlotPackages.CopyDefault(PackageV1, "1.1.0");
        SlotPackages.CopyDefault(PackageV2, "2.0.0");
    }

    private string DataDirectory => _temp.Combine("data");

    private string Configured => _temp.Combine("configured");

    private string PackageV1 => _temp.Combine("v1");

    private string PackageV2 => _temp.Combine("v2");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void LoadConfigured_NoPointer_RunsTheConfiguredDirectory()
    {
        using var host = CreateSut();

        host.LoadConfigured();

        Assert.Equal("1.0.0-configured", host.Current?.Ref.Version);
        Assert.True(host.ActiveSource?.IsConfigured);
        Assert.Null(host.ActiveRecord);
    }

    [Fact]
    public void LoadConfigured_PointerToInstalledSlot_RunsThatSlot()
    {
        var slots = Slots();
        slots.Activate(slots.Install(PackageV1), Record(ModelSlots.SlotA, "1.1.0"));
        slots.Activate(slots.Install(PackageV2), Record(ModelSlots.SlotB, "2.0.0", ModelSlots.SlotA));
        using var host = CreateSut();

        host.LoadConfigured();

        Assert.Equal("2.0.0", host.Current?.Ref.Version);
        Assert.Equal(ModelSlots.SlotB, host.ActiveSource?.Slot);
        Assert.Equal(Record(ModelSlots.SlotB, "2.0.0", ModelSlots.SlotA), host.ActiveRecord);
    }

    [Fact]
    public void LoadConfigured_GarbagePointer_RunsTheConfiguredDirectoryAndLogsWhy()
    {
        var slots = Slots();
        slots.Install(PackageV1);
        File.WriteAllText(slots.PointerPath, "{\"slot\":\"slot-a\",\"modelId\":");
        using var host = CreateSut();

        host.LoadConfigured();

        Assert.Equal("1.0.0-configured", host.Current?.Ref.Version);
        Assert.True(host.ActiveSource?.IsConfigured);
        Assert.Contains("is not an active-model record", Assert.Single(_slotLogger.MessagesOf(1031)), StringComparison.Ordinal);
    }

    [Fact]
    public void LoadConfigured_ActiveSlotDamaged_RunsThePreviousSlotAndRepointsToIt()
    {
        var slots = Slots();
        slots.Activate(slots.Install(PackageV1), Record(ModelSlots.SlotA, "1.1.0"));
        slots.Activate(slots.Install(PackageV2), Record(ModelSlots.SlotB, "2.0.0", ModelSlots.SlotA));
        SlotPackages.Damage(slots.DirectoryOf(ModelSlots.SlotB)!);
        using var host = CreateSut();

        host.LoadConfigured();

        Assert.Equal("1.1.0", host.Current?.Ref.Version);
        Assert.Equal(ModelSlots.SlotA, host.ActiveSource?.Slot);
        Assert.Contains("slot-b", Assert.Single(_logger.MessagesOf(1034)), StringComparison.Ordinal);
        Assert.Single(_logger.MessagesOf(1035));
        var pointer = Slots().ReadActive();
        Assert.Equal(ModelSlots.SlotA, pointer?.Slot);
        Assert.Null(pointer?.PreviousSlot);
        Assert.Equal("1.1.0", pointer?.Version);
        Assert.Equal(7, pointer?.RolloutSequence);
        Assert.Equal(pointer, host.ActiveRecord);
    }

    [Fact]
    public void LoadConfigured_ActiveSlotDamagedAndNoPrevious_RunsTheConfiguredDirectory()
    {
        var slots = Slots();
        slots.Activate(slots.Install(PackageV1), Record(ModelSlots.SlotA, "1.1.0"));
        SlotPackages.Damage(slots.DirectoryOf(ModelSlots.SlotA)!);
        using var host = CreateSut();

        host.LoadConfigured();

        Assert.Equal("1.0.0-configured", host.Current?.Ref.Version);
        Assert.True(host.ActiveSource?.IsConfigured);
        Assert.Null(host.ActiveRecord);
        Assert.Single(_logger.MessagesOf(1034));
        Assert.Contains("no previous slot", Assert.Single(_logger.MessagesOf(1036)), StringComparison.Ordinal);
    }

    [Fact]
    public void LoadConfigured_ActiveAndPreviousSlotsDamaged_RunsTheConfiguredDirectory()
    {
        var slots = Slots();
        slots.Activate(slots.Install(PackageV1), Record(ModelSlots.SlotA, "1.1.0"));
        slots.Activate(slots.Install(PackageV2), Record(ModelSlots.SlotB, "2.0.0", ModelSlots.SlotA));
        SlotPackages.Damage(slots.DirectoryOf(ModelSlots.SlotA)!);
        Directory.Delete(slots.DirectoryOf(ModelSlots.SlotB)!, recursive: true);
        using var host = CreateSut();

        host.LoadConfigured();

        Assert.Equal("1.0.0-configured", host.Current?.Ref.Version);
        Assert.Contains("slot-b is not installed", Assert.Single(_logger.MessagesOf(1034)), StringComparison.Ordinal);
        Assert.Contains("previous slot slot-a is refused too", Assert.Single(_logger.MessagesOf(1036)), StringComparison.Ordinal);
    }

    [Fact]
    public void SwitchTo_InstalledSlot_RunsItAndWritesThePointer()
    {
        using var host = CreateSut();
        host.LoadConfigured();
        var slot = host.Slots.Install(PackageV2);

        var model = host.SwitchTo(slot, Record(slot, "2.0.0"));

        Assert.Same(model, host.Current);
        Assert.Equal("2.0.0", model.Ref.Version);
        Assert.Equal(Record(slot, "2.0.0"), host.ActiveRecord);
        Assert.Equal(Record(slot, "2.0.0"), Slots().ReadActive());
    }

    [Fact]
    public void SwitchTo_DamagedSlot_ThrowsAndChangesNothing()
    {
        using var host = CreateSut();
        host.LoadConfigured();
        var running = host.Current;
        var slot = host.Slots.Install(PackageV2);
        SlotPackages.Damage(host.Slots.DirectoryOf(slot)!);

        Assert.Throws<CreditEdge.Core.Packages.ModelPackageException>(() => host.SwitchTo(slot, Record(slot, "2.0.0")));

        Assert.Same(running, host.Current);
        Assert.Null(Slots().ReadActive());
    }

    [Fact]
    public void Activate_ReplacedModelStillLeased_IsClosedOnlyAfterTheLeaseEndsAndTheGrace()
    {
        var time = new FakeTimeProvider(At);
        using var host = CreateSut(time);
        var first = LoadedModel.Load(PackageV1, "fp32");
        var second = LoadedModel.Load(PackageV2, "fp32");
        host.Activate(first);
        var lease = host.Acquire();

        host.Activate(second);
        time.Advance(ModelHost.RetireGrace);

        Assert.Same(first, lease.Model);
        Assert.False(first.IsRetired);
        Assert.Equal(1, first.Leases);
        Assert.InRange(ScoreFirstGolden(first), 0f, 1f); // a leased replaced model still scores

        lease.Dispose();
        time.Advance(ModelHost.RetireGrace - TimeSpan.FromSeconds(1));
        Assert.False(first.IsRetired);
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.True(first.IsRetired);
        Assert.False(first.TryAcquire());
        Assert.False(second.IsRetired);
        using var next = host.Acquire();
        Assert.Same(second, next.Model);
    }

    [Fact]
    public void Activate_ReplacedModelNotLeased_IsClosedAfterTheGrace()
    {
        var time = new FakeTimeProvider(At);
        using var host = CreateSut(time);
        var first = LoadedModel.Load(PackageV1, "fp32");
        host.Activate(first);
        host.Activate(LoadedModel.Load(PackageV2, "fp32"));

        Assert.False(first.IsRetired);
        time.Advance(ModelHost.RetireGrace);

        Assert.True(first.IsRetired);
        Assert.Contains("1.1.0", Assert.Single(_logger.MessagesOf(1038)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetModel_AgentStartedWithPointerToInstalledSlot_ReportsThatPackage()
    {
        var slots = Slots();
        var slot = slots.Install(PackageV2);
        slots.Activate(slot, Record(slot, "2.0.0"));

        await using var agent = await RunningAgent.StartAsync(DataDirectory, $"--ModelDirectory={Configured}");
        using var model = await agent.Client.GetFromJsonAsync<JsonDocument>(new Uri("/v1/model", UriKind.Relative));

        Assert.Equal("2.0.0", model!.RootElement.GetProperty("version").GetString());
        Assert.Equal("taiwan-credit", model.RootElement.GetProperty("id").GetString());
        var host = (ModelHost)agent.Services.GetService(typeof(ModelHost))!;
        Assert.Equal(Path.Combine(slots.Root, slot), host.ActiveSource?.Directory);
    }

    private static float ScoreFirstGolden(LoadedModel model)
    {
        var row = new float[model.Package.Schema.Count];
        var problems = new List<CreditEdge.Core.Schema.ValidationProblem>();
        var body = System.Text.Encoding.UTF8.GetBytes(GoldenSet.RequestBody(GoldenSet.Records[0]));
        Assert.True(CreditEdge.Core.Schema.ScoreRequestReader.TryRead(body, model.Package.Schema, row, out _, problems));
        var probability = new float[1];
        model.Scorer.Predict(row, probability);
        return probability[0];
    }

    private static ActiveModelRecord Record(string slot, string version, string? previous = null) =>
        new(slot, "taiwan-credit", version, null, 7, previous, At);

    private ModelSlots Slots() => new(DataDirectory, _slotLogger);

    private ModelHost CreateSut(TimeProvider? time = null) => new(
        Microsoft.Extensions.Options.Options.Create(new AgentOptions { DataDirectory = DataDirectory, ModelDirectory = Configured }),
        Microsoft.Extensions.Options.Options.Create(new ModelsOptions()),
        Slots(),
        _logger,
        time ?? TimeProvider.System);
}
