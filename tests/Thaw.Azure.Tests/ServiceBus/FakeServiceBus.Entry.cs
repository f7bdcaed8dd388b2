using Amqp;
using Amqp.Framing;
using Amqp.Types;

namespace Thaw.Azure.Tests.ServiceBus;

internal sealed partial class FakeServiceBus
{
    private enum EntryState
    {
        Available,
        Locked,
        Completed,
        DeadLettered,
    }

    /// <summary>One message in the queue, with the broker-side state the SDK reads back.</summary>
    private sealed class Entry(long sequenceNumber, byte[] body, DateTime enqueuedAt)
    {
        public byte[] Body => body;

        public EntryState State { get; set; }

        public int DeliveryCount { get; set; }

        public Guid LockToken { get; set; }

        public string? DeadLetterReason { get; set; }

        public string? DeadLetterDescription { get; set; }

        public Message ToAmqp(DateTime lockedUntil)
        {
            var message = new Message
            {
                BodySection = new Data { Binary = body },
                // AMQP counts earlier failed attempts; the SDK reports this plus one.
                Header = new Header { DeliveryCount = (uint)(DeliveryCount - 1) },
                Properties = new Properties { MessageId = $"m{sequenceNumber}" },
                MessageAnnotations = new MessageAnnotations(),
            };
            message.MessageAnnotations[new Symbol("x-opt-sequence-number")] = sequenceNumber;
            message.MessageAnnotations[new Symbol("x-opt-enqueued-time")] = enqueuedAt;
            message.MessageAnnotations[new Symbol("x-opt-locked-until")] = lockedUntil;
            message.MessageAnnotations[LockTokenTags.LockTokenName] = LockToken;
            return message;
        }
    }
}
