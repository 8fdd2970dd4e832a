using System.Device.Gpio;
using Microsoft.Extensions.Time.Testing;

namespace CreditEdge.Hardware.Tests;

public class SimulatedGpioDriverTests
{
    private const int Pin = 4;

    private readonly FakeTimeProvider _time = new();

    [Theory]
    [InlineData(PinMode.InputPullUp, 1)]
    [InlineData(PinMode.InputPullDown, 0)]
    [InlineData(PinMode.Input, 0)]
    public void Read_InputNotDriven_ReadsItsPull(PinMode mode, int expected)
    {
        using var gpio = new GpioController(new SimulatedGpioDriver(_time));
        gpio.OpenPin(Pin, mode);

        Assert.Equal((PinValue)expected, gpio.Read(Pin));
    }

    [Fact]
    public void SetInput_LevelChanges_RaisesTheMatchingEdgeOnce()
    {
        var driver = new SimulatedGpioDriver(_time);
        using var gpio = new GpioController(driver);
        gpio.OpenPin(Pin, PinMode.InputPullUp);
        var edges = new List<PinEventTypes>();
        gpio.RegisterCallbackForPinValueChangedEvent(Pin, PinEventTypes.Falling, (_, e) => edges.Add(e.ChangeType));

        driver.SetInput(Pin, PinValue.Low);
        driver.SetInput(Pin, PinValue.Low);
        driver.SetInput(Pin, PinValue.High);

        Assert.Equal([PinEventTypes.Falling], edges);
        Assert.Equal(PinValue.High, gpio.Read(Pin));
    }

    [Fact]
    public void Write_Output_ReadsBackAndIsRecordedWithTheTime()
    {
        var driver = new SimulatedGpioDriver(_time);
        using var gpio = new GpioController(driver);
        gpio.OpenPin(Pin, PinMode.Output, PinValue.Low);
        _time.Advance(TimeSpan.FromSeconds(3));

        gpio.Write(Pin, PinValue.High);
        gpio.Write(Pin, PinValue.High);

        Assert.Equal(PinValue.High, driver.Output(Pin));
        Assert.Equal(PinValue.High, gpio.Read(Pin));
        Assert.Equal([new PinWrite(_time.GetUtcNow(), Pin, PinValue.High)], driver.History());
    }

    [Fact]
    public void SetInput_OnAnOutput_DoesNotChangeWhatItReads()
    {
        var driver = new SimulatedGpioDriver(_time);
        using var gpio = new GpioController(driver);
        gpio.OpenPin(Pin, PinMode.Output, PinValue.High);

        driver.SetInput(Pin, PinValue.Low);

        Assert.Equal(PinValue.High, gpio.Read(Pin));
    }

    [Fact]
    public async Task WaitForEvent_EdgeArrives_ReturnsIt()
    {
        var driver = new SimulatedGpioDriver(_time);
        using var gpio = new GpioController(driver);
        gpio.OpenPin(Pin, PinMode.InputPullDown);
        using var giveUp = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var wait = Task.Run(() => gpio.WaitForEvent(Pin, PinEventTypes.Rising, giveUp.Token));
        while (!wait.IsCompleted)
        {
            driver.SetInput(Pin, PinValue.High);
            driver.SetInput(Pin, PinValue.Low);
            await Task.Delay(1);
        }

        var result = await wait;
        Assert.False(result.TimedOut);
        Assert.Equal(PinEventTypes.Rising, result.EventTypes);
    }

    [Fact]
    public void WaitForEvent_Cancelled_TimesOut()
    {
        using var gpio = new GpioController(new SimulatedGpioDriver(_time));
        gpio.OpenPin(Pin, PinMode.InputPullDown);

        var result = gpio.WaitForEvent(Pin, PinEventTypes.Rising, new CancellationToken(canceled: true));

        Assert.True(result.TimedOut);
    }
}
