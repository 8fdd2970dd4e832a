namespace CreditEdge.Hardware.Tests;

public class LightStatesTests
{
    /// <summary>All 64 combinations of the six facts.</summary>
    public static TheoryData<bool, bool, bool, bool, bool, bool> EveryCondition()
    {
        var data = new TheoryData<bool, bool, bool, bool, bool, bool>();
        for (var bits = 0; bits < 64; bits++)
        {
            data.Add((bits & 1) != 0, (bits & 2) != 0, (bits & 4) != 0, (bits & 8) != 0, (bits & 16) != 0, (bits & 32) != 0);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EveryCondition))]
    public void For_EveryCondition_FollowsTheDocumentedTable(bool started, bool modelLoaded, bool storeWritable, bool online, bool updating, bool locked)
    {
        // The table on LightState, row by row: the first row that matches wins.
        var expected =
            locked ? LightState.Locked
            : !started ? LightState.Starting
            : !modelLoaded || !storeWritable ? LightState.Fault
            : updating ? LightState.Updating
            : online ? LightState.ReadyOnline
            : LightState.ReadyOffline;

        var state = LightStates.For(new AgentCondition(started, modelLoaded, storeWritable, online, updating, locked));

        Assert.Equal(expected, state);
    }

    [Theory]
    [InlineData(false, false, false, false, false, true, LightState.Locked)]
    [InlineData(false, false, false, true, true, false, LightState.Starting)]
    [InlineData(true, false, true, true, true, false, LightState.Fault)]
    [InlineData(true, true, false, true, false, false, LightState.Fault)]
    [InlineData(true, true, true, true, true, false, LightState.Updating)]
    [InlineData(true, true, true, true, false, false, LightState.ReadyOnline)]
    [InlineData(true, true, true, false, false, false, LightState.ReadyOffline)]
    public void For_SampleConditions_GiveTheirState(bool started, bool modelLoaded, bool storeWritable, bool online, bool updating, bool locked, LightState expected) =>
        Assert.Equal(expected, LightStates.For(new AgentCondition(started, modelLoaded, storeWritable, online, updating, locked)));
}
