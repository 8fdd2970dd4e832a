using System.ComponentModel.DataAnnotations;

namespace CreditEdge.Hardware.Tests;

public class HardwareOptionsTests
{
    [Fact]
    public void Validate_DefaultsAndFullWiring_AreValid()
    {
        Assert.Empty(Problems(new HardwareOptions()));
        Assert.Empty(Problems(Kiosk.WiredOptions()));
    }

    [Fact]
    public void Validate_PinUsedTwice_NamesBothKeysAndThePin()
    {
        var options = Kiosk.WiredOptions();
        options.TamperPin = Kiosk.Green;

        var problem = Assert.Single(Problems(options));

        Assert.Equal(["GreenPin", "TamperPin"], problem.MemberNames);
        Assert.Equal("Hardware:GreenPin, Hardware:TamperPin are all pin 5; each pin can serve only one part", problem.ErrorMessage);
    }

    [Fact]
    public void Validate_LongPressNotLongerThanDebounce_IsRejected()
    {
        var options = new HardwareOptions { Debounce = TimeSpan.FromSeconds(2), LongPress = TimeSpan.FromSeconds(2) };

        var problem = Assert.Single(Problems(options));

        Assert.Contains("LongPress", problem.MemberNames);
    }

    [Theory]
    [InlineData(nameof(HardwareOptions.Debounce))]
    [InlineData(nameof(HardwareOptions.TamperDebounce))]
    [InlineData(nameof(HardwareOptions.BlinkPeriod))]
    [InlineData(nameof(HardwareOptions.OutcomePulse))]
    [InlineData(nameof(HardwareOptions.LongPress))]
    public void Validate_ZeroDuration_IsRejected(string key)
    {
        var options = new HardwareOptions();
        typeof(HardwareOptions).GetProperty(key)!.SetValue(options, TimeSpan.Zero);

        Assert.Contains(Problems(options), p => p.MemberNames.Contains(key));
    }

    [Fact]
    public void Validate_NegativePin_IsRejected()
    {
        var options = new HardwareOptions { RedPin = -1 };

        Assert.Equal(["RedPin"], Assert.Single(Problems(options)).MemberNames);
    }

    private static List<ValidationResult> Problems(HardwareOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }
}
