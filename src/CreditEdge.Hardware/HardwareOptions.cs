using System.ComponentModel.DataAnnotations;

namespace CreditEdge.Hardware;

/// <summary>
/// The kiosk's GPIO wiring (configuration section <c>Hardware</c>). Pins are line offsets on the chip; a pin left
/// unset means that part is not fitted. Every duration has a default; no pin may be used twice.
/// </summary>
public sealed class HardwareOptions : IValidatableObject
{
    public const string SectionName = "Hardware";

    /// <summary>The highest pin number accepted (chips on kiosk boards have far fewer lines).</summary>
    internal const int MaxPin = 1023;

    /// <summary>Which driver drives the pins. Default <see cref="GpioDriverChoice.Auto"/>.</summary>
    [EnumDataType(typeof(GpioDriverChoice))]
    public GpioDriverChoice Driver { get; set; } = GpioDriverChoice.Auto;

    /// <summary>GPIO chip number (<c>/dev/gpiochip{Chip}</c>). Default 0.</summary>
    [Range(0, 255)]
    public int Chip { get; set; }

    /// <summary>Status light, green lamp.</summary>
    [Range(0, MaxPin)]
    public int? GreenPin { get; set; }

    /// <summary>Status light, amber lamp.</summary>
    [Range(0, MaxPin)]
    public int? AmberPin { get; set; }

    /// <summary>Status light, red lamp.</summary>
    [Range(0, MaxPin)]
    public int? RedPin { get; set; }

    /// <summary>Lamp pulsed when a decision is <c>approve</c>.</summary>
    [Range(0, MaxPin)]
    public int? ApprovePin { get; set; }

    /// <summary>Lamp pulsed when a decision is <c>refer</c>.</summary>
    [Range(0, MaxPin)]
    public int? ReferPin { get; set; }

    /// <summary>Lamp pulsed when a decision is <c>decline</c>.</summary>
    [Range(0, MaxPin)]
    public int? DeclinePin { get; set; }

    /// <summary>Buzzer (active high): 1 beep approve, 2 refer, 3 decline.</summary>
    [Range(0, MaxPin)]
    public int? BuzzerPin { get; set; }

    /// <summary>Sync push button.</summary>
    [Range(0, MaxPin)]
    public int? SyncButtonPin { get; set; }

    /// <summary>Enclosure tamper switch.</summary>
    [Range(0, MaxPin)]
    public int? TamperPin { get; set; }

    /// <summary>
    /// True (default): the button connects the pin to ground and the internal pull-up holds it high, so pressed reads Low.
    /// False: the button connects to the supply against a pull-down.
    /// </summary>
    public bool ButtonActiveLow { get; set; } = true;

    /// <summary>
    /// The local procedure that unlocks a kiosk locked by its tamper switch, besides a signed operator order:
    /// <see cref="LocalUnlockProcedure.None"/> (default: only a signed order unlocks) or
    /// <see cref="LocalUnlockProcedure.LongPress"/> (holding the sync button for <see cref="LongPress"/> with the enclosure closed).
    /// </summary>
    public LocalUnlockProcedure LocalUnlock { get; set; } = LocalUnlockProcedure.None;

    /// <summary>
    /// Public keys (<c>*.pem</c>) whose signed unlock orders the device accepts. Default: the package trust directory
    /// (<c>Models:TrustDirectory</c>); a bank that keeps operators' keys apart from the risk team's sets its own.
    /// </summary>
    public string? UnlockTrustDirectory { get; set; }

    /// <summary>
    /// The level the tamper pin reads while the enclosure is open. Default <see cref="PinLevel.High"/>: a normally-closed
    /// switch to ground, held shut by the closed lid, against the internal pull-up. Open lid, cut wire or unplugged
    /// switch all read High, so every failure reads as open (fail safe). With <see cref="PinLevel.Low"/> the pin is
    /// pulled down instead, which keeps the same fail-safe property for a switch wired to the supply.
    /// </summary>
    [EnumDataType(typeof(PinLevel))]
    public PinLevel TamperOpenLevel { get; set; } = PinLevel.High;

    /// <summary>How long the button must hold a level before it counts. Default 50 ms.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:00:05")]
    public TimeSpan Debounce { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>How long the tamper switch must hold a level before it counts (vibration, door slams). Default 200 ms.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:01:00")]
    public TimeSpan TamperDebounce { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>One on-off cycle of a blinking status light (on for half, off for half). Default 1 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:00:10")]
    public TimeSpan BlinkPeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long an outcome lamp stays lit after a decision; the beeps fit inside it. Default 400 ms.</summary>
    [Range(typeof(TimeSpan), "00:00:00.060", "00:00:10")]
    public TimeSpan OutcomePulse { get; set; } = TimeSpan.FromMilliseconds(400);

    /// <summary>How long the sync button must be held, from the press, to raise <see cref="SyncButton.LongPressed"/>. Default 10 s.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan LongPress { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Every configured pin with its key, in declaration order.</summary>
    internal IEnumerable<(string Key, int Pin)> Pins() =>
        new (string, int?)[]
        {
            (nameof(GreenPin), GreenPin), (nameof(AmberPin), AmberPin), (nameof(RedPin), RedPin),
            (nameof(ApprovePin), ApprovePin), (nameof(ReferPin), ReferPin), (nameof(DeclinePin), DeclinePin),
            (nameof(BuzzerPin), BuzzerPin), (nameof(SyncButtonPin), SyncButtonPin), (nameof(TamperPin), TamperPin),
        }.Where(p => p.Item2.HasValue).Select(p => (p.Item1, p.Item2!.Value));

    /// <summary>Cross-field rules: no pin drives two things; a long press lasts longer than the debounce.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var clash in Pins().GroupBy(p => p.Pin).Where(g => g.Count() > 1))
        {
            var keys = clash.Select(p => p.Key).ToArray();
            yield return new ValidationResult(
                $"Hardware:{string.Join(", Hardware:", keys)} are all pin {clash.Key}; each pin can serve only one part",
                keys);
        }

        if (LongPress <= Debounce)
        {
            yield return new ValidationResult(
                $"Hardware:LongPress {LongPress} must be longer than Hardware:Debounce {Debounce}",
                [nameof(LongPress), nameof(Debounce)]);
        }
    }
}
