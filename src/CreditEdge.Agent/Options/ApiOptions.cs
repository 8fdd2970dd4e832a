using System.ComponentModel.DataAnnotations;

namespace CreditEdge.Agent.Options;

/// <summary>The local HTTP API (section <c>Api</c>).</summary>
public sealed class ApiOptions
{
    public const string SectionName = "Api";

    /// <summary>Listen address(es), separated by ';'. Default <c>http://127.0.0.1:5080</c>: loopback only.</summary>
    [Required]
    public string Urls { get; set; } = "http://127.0.0.1:5080";

    /// <summary>Largest accepted request body. Default 16 KiB: an application is well under 2 KiB.</summary>
    [Range(1024, 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 16 * 1024;

    /// <summary>
    /// Lower-case hex SHA-256 hashes of the terminal keys allowed to call <c>/v1/*</c>. Empty (default): no key required.
    /// A terminal sends its key as <c>Authorization: Bearer KEY</c>.
    /// </summary>
    public IList<string> TerminalKeyHashes { get; } = [];
}
