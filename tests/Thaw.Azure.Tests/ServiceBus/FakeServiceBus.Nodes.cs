using Amqp;
using Amqp.Framing;
using Amqp.Handler;
using Amqp.Listener;
using Amqp.Types;

namespace Thaw.Azure.Tests.ServiceBus;

internal sealed partial class FakeServiceBus
{
    /// <summary>
    /// The SDK settles a peek-locked message by its lock token, which it reads from the 16-byte delivery tag
    /// (AMQPNetLite numbers deliveries with 4 bytes): give each queue delivery its lock token as its tag.
    /// </summary>
    private sealed class LockTokenTags : IHandler
    {
        public static readonly Symbol LockTokenName = new("x-opt-lock-token");

        public static LockTokenTags Instance { get; } = new();

        public bool CanHandle(EventId id) => id == EventId.SendDelivery;

        public void Handle(Event protocolEvent)
        {
            if (protocolEvent.Context is IDelivery { Message.MessageAnnotations: { } annotations } delivery && annotations[LockTokenName] is Guid lockToken)
            {
                delivery.Tag = lockToken.ToByteArray();
            }
        }
    }

    /// <summary>Claims-based security: every put-token succeeds.</summary>
    private sealed class CbsNode : IRequestProcessor
    {
        public int Credit => 100;

        public void Process(RequestContext requestContext) =>
            requestContext.Complete(Reply(requestContext.Message, 200, body: null));
    }

    /// <summary>The queue's <c>$management</c> node: lock renewal only.</summary>
    private sealed class ManagementNode(FakeServiceBus bus) : IRequestProcessor
    {
        public int Credit => 100;

        public void Process(RequestContext requestContext)
        {
            Message request = requestContext.Message;
            if (request.ApplicationProperties?["operation"] as string != "com.microsoft:renew-lock")
            {
                requestContext.Complete(Reply(request, 501, body: null));
                return;
            }

            Guid[] tokens = (request.Body as Map)?["lock-tokens"] as Guid[] ?? [];
            DateTime[]? expirations = bus.Renew(tokens);
            requestContext.Complete(expirations is null
                ? Reply(request, 410, body: null, "com.microsoft:message-lock-lost")
                : Reply(request, 200, new Map { ["expirations"] = expirations }));
        }
    }

    /// <summary>Links to the queue itself: senders put messages in, receivers take them out with peek-lock.</summary>
    private sealed class QueueLinks(FakeServiceBus bus) : ILinkProcessor
    {
        public void Process(AttachContext attachContext)
        {
            Attach attach = attachContext.Attach;
            attach.MaxMessageSize = MaxMessageSize;
            string? address = EntityPath(attach);
            if (address != bus.QueueName)
            {
                attachContext.Complete(new Error(ErrorCode.NotFound) { Description = $"No entity '{address}' in the fake." });
                return;
            }

            if (attach.Role)
            {
                bus.AddReceiver(attachContext.Link);
                attachContext.Link.AddClosedCallback((_, _) => bus.RemoveReceiver(attachContext.Link));
                attachContext.Complete(new QueueSource(bus), 0);
            }
            else
            {
                attachContext.Complete(new QueueTarget(bus), 100);
            }
        }
    }

    private sealed class QueueTarget(FakeServiceBus bus) : LinkEndpoint
    {
        public override void OnMessage(MessageContext messageContext)
        {
            bus.Enqueue(messageContext.Message);
            messageContext.Complete();
        }

        public override void OnFlow(FlowContext flowContext)
        {
        }

        public override void OnDisposition(DispositionContext dispositionContext)
        {
        }
    }

    private sealed class QueueSource(FakeServiceBus bus) : LinkEndpoint
    {
        public override void OnFlow(FlowContext flowContext) => bus.AddCredit(flowContext.Link, flowContext.Messages);

        public override void OnDisposition(DispositionContext dispositionContext) =>
            bus.Settle(dispositionContext.Link, dispositionContext.Message, dispositionContext.DeliveryState, dispositionContext.Settled);
    }

    private static Message Reply(Message request, int status, Map? body, string? condition = null)
    {
        var reply = new Message(body)
        {
            Properties = new Properties(),
            // CBS reads status-code, the management client statusCode: answer both.
            ApplicationProperties = new ApplicationProperties { Map = { ["status-code"] = status, ["statusCode"] = status } },
        };
        if (condition is not null)
        {
            reply.ApplicationProperties.Map["errorCondition"] = new Symbol(condition);
        }

        reply.Properties.SetCorrelationId(request.Properties?.GetMessageId());
        return reply;
    }
}
