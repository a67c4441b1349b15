using System.Net;
using System.Net.Sockets;

namespace TaskLens.IntegrationTests.Infrastructure;

internal static class FreePorts
{
    /// <summary>Ports the OS had free a moment ago, all distinct (held open together while chosen).</summary>
    public static int[] Take(int count)
    {
        var listeners = new TcpListener[count];
        try
        {
            for (var i = 0; i < count; i++)
            {
                listeners[i] = new TcpListener(IPAddress.Loopback, 0);
                listeners[i].Start();
            }

            return listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener?.Stop();
            }
        }
    }
}
