using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace BiasBounty.Web.Tests.Infrastructure;

/// <summary>A message the fake server accepted: the envelope recipients and the raw DATA.</summary>
public sealed record ReceivedMail(string From, IReadOnlyList<string> Recipients, string Data)
{
    /// <summary>The value of a header of the message (unfolded, not decoded).</summary>
    public string? Header(string name) =>
        Data.Split("\r\n").TakeWhile(line => line.Length > 0)
            .FirstOrDefault(line => line.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase))?[(name.Length + 1)..].Trim();
}

/// <summary>
/// Just enough SMTP on 127.0.0.1 for System.Net.Mail without TLS or AUTH: greeting, EHLO/HELO, MAIL, RCPT, DATA, RSET,
/// NOOP, QUIT. With <paramref name="refuseRecipients"/> every RCPT gets 554.
/// </summary>
public sealed class FakeSmtpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly bool _refuseRecipients;
    private readonly Task _accepting;

    public FakeSmtpServer(bool refuseRecipients = false)
    {
        _refuseRecipients = refuseRecipients;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public ConcurrentQueue<ReceivedMail> Received { get; } = new();

    /// <summary>RCPT commands seen (refused or not).</summary>
    public int RecipientCommands => _recipientCommands;

    private int _recipientCommands;
    private int _disposed;

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception) { return; }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        try
        {
            var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.ASCII);
            await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
            await writer.WriteLineAsync("220 fake.smtp.test ESMTP");
            string from = "";
            var recipients = new List<string>();
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                var command = line.Length >= 4 ? line[..4].ToUpperInvariant() : line.ToUpperInvariant();
                switch (command)
                {
                    case "EHLO" or "HELO":
                        await writer.WriteLineAsync("250 fake.smtp.test");
                        break;
                    case "MAIL":
                        from = line[(line.IndexOf(':') + 1)..].Trim();
                        recipients.Clear();
                        await writer.WriteLineAsync("250 OK");
                        break;
                    case "RCPT":
                        Interlocked.Increment(ref _recipientCommands);
                        if (_refuseRecipients)
                            await writer.WriteLineAsync("554 5.7.1 Relay access denied");
                        else
                        {
                            recipients.Add(line[(line.IndexOf(':') + 1)..].Trim().Trim('<', '>'));
                            await writer.WriteLineAsync("250 OK");
                        }
                        break;
                    case "DATA":
                        await writer.WriteLineAsync("354 End data with <CR><LF>.<CR><LF>");
                        var data = new StringBuilder();
                        while (await reader.ReadLineAsync(_stop.Token) is { } dataLine && dataLine != ".")
                            data.Append(dataLine.StartsWith("..") ? dataLine[1..] : dataLine).Append("\r\n");
                        Received.Enqueue(new ReceivedMail(from, [.. recipients], data.ToString()));
                        await writer.WriteLineAsync("250 OK queued");
                        break;
                    case "QUIT":
                        await writer.WriteLineAsync("221 Bye");
                        return;
                    default: // RSET, NOOP
                        await writer.WriteLineAsync("250 OK");
                        break;
                }
            }
        }
        catch (Exception) { /* the client went away or the server stops */ }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
            return;
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
