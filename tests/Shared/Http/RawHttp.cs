using System.Net.Sockets;

namespace Thaw.Testing;

/// <summary>
/// HTTP/1.1 over a plain socket, so a request reaches the server byte for byte: HttpClient would normalize the path
/// (dot segments, escapes), refuse odd methods and headers, and never send a body shorter than it declared.
/// </summary>
internal static class RawHttp
{
    /// <summary>A request with <c>Host</c> (<paramref name="server"/>'s authority), <c>Connection: close</c>, and a Content-Length for a body.</summary>
    public static byte[] Request(Uri server, string method, string target, IEnumerable<string>? headers = null, byte[]? body = null, long? declaredLength = null)
    {
        var head = new StringBuilder($"{method} {target} HTTP/1.1\r\nHost: {server.Authority}\r\nConnection: close\r\n");
        foreach (string header in headers ?? [])
        {
            head.Append(header).Append("\r\n");
        }

        if (body is not null || declaredLength is not null)
        {
            head.Append("Content-Length: ").Append(declaredLength ?? body!.Length).Append("\r\n");
        }

        head.Append("\r\n");
        return [.. Encoding.Latin1.GetBytes(head.ToString()), .. body ?? []];
    }

    /// <summary>
    /// Sends <paramref name="request"/> and reads the response until the server closes. <paramref name="endSending"/>
    /// closes the sending side after the request, so that a body shorter than its Content-Length ends there (Kestrel
    /// then takes the client for gone and may not answer at all).
    /// </summary>
    public static async Task<RawResponse> SendAsync(Uri server, byte[] request, TimeSpan timeout, bool endSending = false)
    {
        using var cancel = new CancellationTokenSource(timeout);
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port, cancel.Token);
        NetworkStream stream = client.GetStream();
        try
        {
            await stream.WriteAsync(request, cancel.Token);
            if (endSending)
            {
                client.Client.Shutdown(SocketShutdown.Send);
            }
        }
        catch (IOException)
        {
            // The server may answer and close before it has read everything (431, 413): read what it said.
        }

        using var received = new MemoryStream();
        try
        {
            await stream.CopyToAsync(received, cancel.Token);
        }
        catch (IOException)
        {
            // A reset (the server closed with unread request bytes, or took the client for gone) loses nothing already read.
        }

        return RawResponse.Parse(received.ToArray());
    }
}
