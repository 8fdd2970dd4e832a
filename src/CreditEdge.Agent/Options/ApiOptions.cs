using System.ComponentModel.DataAnnotations;
using System.Net;

namespace CreditEdge.Agent.Options;

/// <summary>The local HTTP API (section <c>Api</c>).</summary>
public sealed class ApiOptions : IValidatableObject
{
    public const string SectionName = "Api";

    /// <summary>The value of <see cref="KioskAddresses"/> that exempts no address: every caller needs a terminal key.</summary>
    public const string NoKioskAddresses = "none";

    /// <summary>The kiosk's own addresses when <see cref="KioskAddresses"/> is not configured: loopback.</summary>
    public static readonly IReadOnlyList<string> DefaultKioskAddresses = ["127.0.0.1", "::1"];

    /// <summary>Listen address(es), separated by ';'. Default <c>http://127.0.0.1:5080</c>: loopback only.</summary>
    [Required]
    public string Urls { get; set; } = "http://127.0.0.1:5080";

    /// <summary>Largest accepted request body. Default 16 KiB: an application is well under 2 KiB.</summary>
    [Range(1024, 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 16 * 1024;

    /// <summary>
    /// Lower-case hex SHA-256 hashes of extra terminal keys allowed to call <c>/v1/*</c> besides those of
    /// <c>terminals.json</c> (terminal id <c>config-N</c>, N the index here). A terminal sends its key as
    /// <c>Authorization: Bearer KEY</c>.
    /// </summary>
    public IList<string> TerminalKeyHashes { get; } = [];

    /// <summary>
    /// Source addresses whose <c>/v1/*</c> requests need no terminal key and are not rate limited: the kiosk's own page.
    /// Null (not configured): <see cref="DefaultKioskAddresses"/>. <c>none</c>: no address is exempt.
    /// </summary>
    public string[]? KioskAddresses { get; set; }

    /// <summary>The token bucket each terminal's requests take from.</summary>
    public TerminalRateLimitOptions TerminalRateLimit { get; set; } = new();

    /// <summary>The parsed <see cref="KioskAddresses"/> (IPv4-mapped IPv6 as IPv4); empty for <c>none</c>.</summary>
    public IReadOnlySet<IPAddress> ParsedKioskAddresses()
    {
        IReadOnlyList<string> configured = KioskAddresses ?? DefaultKioskAddresses;
        return configured.Where(a => !a.Trim().Equals(NoKioskAddresses, StringComparison.OrdinalIgnoreCase))
            .Select(a => Normalize(IPAddress.Parse(a.Trim())))
            .ToHashSet();
    }

    /// <summary>An IPv4 address reached over a dual-stack socket (<c>::ffff:a.b.c.d</c>) as plain IPv4.</summary>
    public static IPAddress Normalize(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var addresses = KioskAddresses ?? [];
        var none = addresses.Any(a => a.Trim().Equals(NoKioskAddresses, StringComparison.OrdinalIgnoreCase));
        if (none && addresses.Length > 1)
        {
            yield return new ValidationResult($"Api:KioskAddresses: '{NoKioskAddresses}' must be the only entry", [nameof(KioskAddresses)]);
        }

        for (var i = 0; i < addresses.Length; i++)
        {
            var address = addresses[i]?.Trim() ?? "";
            if (!address.Equals(NoKioskAddresses, StringComparison.OrdinalIgnoreCase) && !IPAddress.TryParse(address, out _))
            {
                yield return new ValidationResult($"Api:KioskAddresses:{i}: '{address}' is not an IP address (or '{NoKioskAddresses}')", [nameof(KioskAddresses)]);
            }
        }

        for (var i = 0; i < TerminalKeyHashes.Count; i++)
        {
            var hash = TerminalKeyHashes[i].Trim();
            if (hash.Length != 64 || !hash.All(char.IsAsciiHexDigit))
            {
                yield return new ValidationResult($"Api:TerminalKeyHashes:{i}: not a SHA-256 in hex (64 hex digits)", [nameof(TerminalKeyHashes)]);
            }
        }

        foreach (var result in TerminalRateLimit.Validate())
        {
            yield return result;
        }
    }
}
