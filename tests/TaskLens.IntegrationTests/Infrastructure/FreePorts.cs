using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace TaskLens.IntegrationTests.Infrastructure;

/// <summary>
/// Ports for the servers tests start (TaskLens, ClickHouse, ZooKeeper, fakes), chosen below the kernel's ephemeral
/// range. A port the OS hands out for a listener on port 0 comes from that range, and once released it can be taken
/// again as the source port of any outgoing connection before the test's server binds it — with hundreds of
/// connections to ClickHouse in flight across parallel test classes, that happened ("address already in use").
/// Outgoing connections never take a port below the range, so a port found free there stays free unless another
/// test process picks the same one: each is drawn at random and checked by binding it.
/// </summary>
internal static class FreePorts
{
    private const int Lowest = 10_000;
    private const string EphemeralRange = "/proc/sys/net/ipv4/ip_local_port_range";

    /// <summary>Ports free a moment ago, all distinct (held open together while chosen).</summary>
    public static int[] Take(int count)
    {
        var highest = BelowEphemeralRange();
        var listeners = new List<TcpListener>(count);
        try
        {
            for (var attempt = 0; listeners.Count < count; attempt++)
            {
                var port = highest > Lowest && attempt < 1_000 ? Random.Shared.Next(Lowest, highest) : 0;
                var listener = new TcpListener(IPAddress.Loopback, port);
                try
                {
                    listener.Start();
                    listeners.Add(listener);
                }
                catch (SocketException)
                {
                    listener.Stop();
                }
            }

            return listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Stop();
            }
        }
    }

    /// <summary>The first port of the kernel's ephemeral range (Linux), or 0 when it cannot be read.</summary>
    private static int BelowEphemeralRange()
    {
        try
        {
            var first = File.ReadAllText(EphemeralRange).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[0];
            return int.Parse(first, CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 0;
        }
    }
}
