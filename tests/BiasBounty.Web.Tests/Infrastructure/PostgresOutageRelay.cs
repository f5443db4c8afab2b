using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace BiasBounty.Web.Tests.Infrastructure;

/// <summary>
/// A TCP relay on a loopback port in front of the test PostgreSQL, so a platform can lose its database mid-test:
/// <see cref="Cut"/> stops listening and drops every open connection (new ones are refused, as by a stopped server);
/// <see cref="Restore"/> listens on the same port again.
/// </summary>
public sealed class PostgresOutageRelay : IAsyncDisposable
{
    private readonly string _upstreamHost;
    private readonly int _upstreamPort;
    private readonly ConcurrentDictionary<TcpClient, byte> _open = new();
    private readonly Lock _gate = new();
    private TcpListener? _listener;
    private CancellationTokenSource? _stop;

    public PostgresOutageRelay(string upstreamHost, int upstreamPort)
    {
        _upstreamHost = upstreamHost;
        _upstreamPort = upstreamPort;
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Restore();
    }

    public int Port { get; }

    public bool IsUp
    {
        get { lock (_gate) return _listener is not null; }
    }

    public void Restore()
    {
        lock (_gate)
        {
            if (_listener is not null) return;
            var listener = new TcpListener(IPAddress.Loopback, Port);
            listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            listener.Start();
            _listener = listener;
            _stop = new CancellationTokenSource();
            _ = AcceptAsync(listener, _stop.Token);
        }
    }

    public void Cut()
    {
        lock (_gate)
        {
            if (_listener is null) return;
            _stop!.Cancel();
            _listener.Stop();
            _listener = null;
            foreach (var client in _open.Keys) client.Close();
            _open.Clear();
        }
    }

    private async Task AcceptAsync(TcpListener listener, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await listener.AcceptTcpClientAsync(ct); }
            catch (Exception) { return; }
            _ = RelayAsync(client, ct);
        }
    }

    private async Task RelayAsync(TcpClient client, CancellationToken ct)
    {
        using var upstream = new TcpClient();
        _open[client] = 0;
        _open[upstream] = 0;
        try
        {
            await upstream.ConnectAsync(_upstreamHost, _upstreamPort, ct);
            var down = client.GetStream();
            var up = upstream.GetStream();
            await Task.WhenAny(down.CopyToAsync(up, ct), up.CopyToAsync(down, ct));
        }
        catch (Exception) { /* cut, or either side went away */ }
        finally
        {
            _open.TryRemove(client, out _);
            _open.TryRemove(upstream, out _);
            client.Close();
        }
    }

    public ValueTask DisposeAsync()
    {
        Cut();
        return ValueTask.CompletedTask;
    }
}
