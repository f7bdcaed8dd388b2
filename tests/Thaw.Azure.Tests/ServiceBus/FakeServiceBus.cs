using System.Net;
using System.Net.Sockets;
using Amqp;
using Amqp.Framing;
using Amqp.Listener;
using Amqp.Sasl;
using Amqp.Types;

namespace Thaw.Azure.Tests.ServiceBus;

/// <summary>
/// A Service Bus stand-in on loopback that the real Azure.Messaging.ServiceBus SDK talks to over plain AMQP 1.0
/// (AMQPNetLite's listener; <c>UseDevelopmentEmulator=true</c> makes the SDK skip TLS). It does what a job queue
/// needs: the <c>MSSBCBS</c> SASL handshake and <c>$cbs</c> put-token (any token is accepted), send, peek-lock
/// receive (16-byte lock-token delivery tags, sequence-number and locked-until annotations), complete, abandon
/// (the delivery count goes up), dead-letter with reason and description, release of locked messages when a
/// receiving link closes, and <c>com.microsoft:renew-lock</c> on the queue's <c>$management</c> node.
/// </summary>
/// <remarks>
/// Not covered, so not tested here: locks that expire on their own (a lock lasts until settled or its link closes),
/// MaxDeliveryCount dead-lettering by the service, sessions, transactions, scheduled and deferred messages,
/// peek, receiving from the dead-letter sub-queue, topics and subscriptions, message TTL, duplicate detection,
/// authorization (tokens are not checked), partitioning, batch-envelope sends, and any other management operation.
/// </remarks>
internal sealed partial class FakeServiceBus : IAsyncLifetime
{
    /// <summary>The real service has a 256 KB limit on Standard; the SDK needs a value to size its batches.</summary>
    private const ulong MaxMessageSize = 256 * 1024;

    private static readonly TimeSpan LockDuration = TimeSpan.FromMinutes(5);

    private readonly Lock _gate = new();
    private readonly List<Entry> _messages = [];
    private readonly Dictionary<ListenerLink, int> _receivers = [];
    private ContainerHost? _host;
    private long _sequence;

    public string QueueName { get; } = "thaw-jobs";

    public string ConnectionString { get; private set; } = "";

    /// <summary>Messages still in the queue (available or locked).</summary>
    public int ActiveCount
    {
        get
        {
            lock (_gate)
            {
                return _messages.Count(m => m.State is EntryState.Available or EntryState.Locked);
            }
        }
    }

    /// <summary>Messages moved to the dead-letter sub-queue: their body, reason and description.</summary>
    public IReadOnlyList<(byte[] Body, string? Reason, string? Description)> DeadLetters
    {
        get
        {
            lock (_gate)
            {
                return [.. _messages.Where(m => m.State == EntryState.DeadLettered).Select(m => (m.Body, m.DeadLetterReason, m.DeadLetterDescription))];
            }
        }
    }

    /// <summary>Lock renewals answered on the management node.</summary>
    public int Renewals { get; private set; }

    public Task InitializeAsync()
    {
        int port = FreePort();
        ConnectionString = $"Endpoint=sb://127.0.0.1:{port}/;SharedAccessKeyName=fake;SharedAccessKey=fake;UseDevelopmentEmulator=true";
        _host = new ContainerHost(new Address($"amqp://127.0.0.1:{port}"));
        ConnectionListener listener = _host.Listeners[0];
        // The SDK asks for MSSBCBS (claims-based security: the real check is the $cbs token); anonymous is enough here.
        listener.SASL.EnableMechanism(new Symbol("MSSBCBS"), SaslProfile.Anonymous);
        listener.HandlerFactory = _ => LockTokenTags.Instance;
        // The SDK addresses nodes as "/thaw-jobs" or by their full URI: look them up by the path alone.
        _host.AddressResolver = (_, attach) => EntityPath(attach);
        _host.Open();
        _host.RegisterRequestProcessor("$cbs", new CbsNode());
        _host.RegisterRequestProcessor($"{QueueName}/$management", new ManagementNode(this));
        _host.RegisterLinkProcessor(new QueueLinks(this));
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        _host?.Close();
        return Task.CompletedTask;
    }

    private void Enqueue(Message message)
    {
        lock (_gate)
        {
            _messages.Add(new Entry(++_sequence, message.GetBody<byte[]>() ?? [], DateTime.UtcNow));
        }

        Pump();
    }

    /// <summary>Hands available messages to receiving links, as far as their credit goes.</summary>
    private void Pump()
    {
        lock (_gate)
        {
            foreach (ListenerLink link in _receivers.Keys.ToList())
            {
                while (_receivers[link] > 0 && _messages.FirstOrDefault(m => m.State == EntryState.Available) is { } entry)
                {
                    entry.State = EntryState.Locked;
                    entry.DeliveryCount++;
                    entry.LockToken = Guid.NewGuid();
                    _receivers[link]--;
                    link.SendMessage(entry.ToAmqp(DateTime.UtcNow + LockDuration));
                }
            }
        }
    }

    private void Settle(ListenerLink link, Message message, DeliveryState state, bool settled)
    {
        lock (_gate)
        {
            Guid lockToken = message.MessageAnnotations?[LockTokenTags.LockTokenName] is Guid token ? token : Guid.Empty;
            if (_messages.FirstOrDefault(m => m.State == EntryState.Locked && m.LockToken == lockToken) is { } entry)
            {
                switch (state)
                {
                    case Accepted:
                        entry.State = EntryState.Completed;
                        break;
                    case Rejected { Error: { } error } when error.Condition.ToString() == "com.microsoft:dead-letter":
                        entry.State = EntryState.DeadLettered;
                        entry.DeadLetterReason = error.Info?[new Symbol("DeadLetterReason")] as string;
                        entry.DeadLetterDescription = error.Info?[new Symbol("DeadLetterErrorDescription")] as string;
                        break;
                    default:
                        // Modified (abandon), Released (the link closed) or anything else: back in the queue.
                        entry.State = EntryState.Available;
                        break;
                }

            }
        }

        if (!settled)
        {
            // The SDK reads a rejected outcome that carries an error as a failed settlement: confirm a dead-letter without it.
            link.DisposeMessage(message, state is Rejected ? new Rejected() : state, true);
        }

        Pump();
    }

    /// <summary>New lock expiries, or null when one of the locks is not held (the message was settled or released).</summary>
    private DateTime[]? Renew(Guid[] lockTokens)
    {
        lock (_gate)
        {
            if (!lockTokens.All(token => _messages.Any(m => m.State == EntryState.Locked && m.LockToken == token)))
            {
                return null;
            }

            Renewals++;
            return [.. lockTokens.Select(_ => DateTime.UtcNow + LockDuration)];
        }
    }

    private void AddReceiver(ListenerLink link)
    {
        lock (_gate)
        {
            _receivers[link] = 0;
        }
    }

    private void AddCredit(ListenerLink link, int delta)
    {
        lock (_gate)
        {
            // A flow that lowers the credit is the peer taking it back: AMQPNetLite's link drops to zero too.
            _receivers[link] = delta > 0 ? _receivers[link] + delta : 0;
        }

        Pump();
        if (link.IsDraining)
        {
            lock (_gate)
            {
                _receivers[link] = 0;
            }

            link.CompleteDrain();
        }
    }

    private void RemoveReceiver(ListenerLink link)
    {
        lock (_gate)
        {
            _receivers.Remove(link);
        }
    }

    private static string? EntityPath(Attach attach)
    {
        // Role true: the client receives, so the node is the source.
        string? address = attach.Role ? (attach.Source as Source)?.Address : (attach.Target as Target)?.Address;
        if (address is null)
        {
            return null;
        }

        return (Uri.TryCreate(address, UriKind.Absolute, out Uri? uri) && uri.Scheme is "amqp" or "amqps" or "sb" ? uri.AbsolutePath : address).TrimStart('/');
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
