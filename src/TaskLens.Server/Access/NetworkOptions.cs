using System.Net;

namespace TaskLens.Server.Access;

/// <summary>
/// The network in front of TaskLens (<c>TaskLens:Network</c>): which reverse proxies' forwarded headers are believed.
/// None by default, so a client's address is always the connection's and no one can choose it by sending a header.
/// </summary>
internal sealed class NetworkOptions
{
    public const string SectionName = "TaskLens:Network";

    /// <summary>
    /// Addresses and networks (<c>10.0.0.5</c>, <c>10.0.0.0/8</c>, <c>fd00::/8</c>) of the reverse proxies in front of
    /// TaskLens. A request from one of them has its client address (and scheme) taken from <c>X-Forwarded-For</c>
    /// (<c>X-Forwarded-Proto</c>); from anyone else those headers are ignored.
    /// </summary>
    public IList<string> TrustedProxies { get; } = [];

    public IEnumerable<string> Validate()
    {
        foreach (var entry in TrustedProxies)
        {
            if (!TryParse(entry, out _))
            {
                yield return $"{SectionName}:TrustedProxies '{entry}' is not an IP address or a network in CIDR notation (10.0.0.0/8, fd00::/8).";
            }
        }
    }

    /// <summary>The trusted networks; a single address is a network of itself alone.</summary>
    public IReadOnlyList<IPNetwork> Networks() =>
        TrustedProxies.Select(e => TryParse(e, out var network) ? network : throw new InvalidOperationException($"Invalid trusted proxy '{e}'.")).ToList();

    private static bool TryParse(string entry, out IPNetwork network)
    {
        var text = entry.Trim();
        // IPAddress.TryParse reads "10.1" as 10.0.0.1: an IPv4 address must be written in full, four dotted parts.
        if (IPAddress.TryParse(text, out var address) && !text.Contains('/', StringComparison.Ordinal)
            && (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork || text.Count(c => c == '.') == 3))
        {
            network = new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }

        // A network whose address has bits set past its prefix (10.0.0.1/8) is a typo to report, not a network to guess.
        return IPNetwork.TryParse(text, out network) && network.BaseAddress.Equals(IPAddress.Parse(text[..text.IndexOf('/', StringComparison.Ordinal)]));
    }
}
