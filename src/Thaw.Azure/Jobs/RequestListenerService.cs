using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Thaw.Inference.Jobs;

namespace Thaw.Azure.Jobs;

/// <summary>
/// The standalone host's request-queue listener: receives up to <see cref="JobsOptions.MaxConcurrentRequests"/>
/// messages at once (invisible for <see cref="JobsOptions.VisibilityTimeout"/>) and runs them together, so that they
/// meet in the model's interactive batcher; deletes each answered message, hands a failed one back after
/// <see cref="JobsOptions.RetryDelay"/>, and moves it to <c>{RequestQueue}-poison</c> after
/// <see cref="JobsOptions.MaxDequeueCount"/> deliveries, as the Functions host does. Empty polls back off from
/// 100 ms to <see cref="JobsOptions.MaxPollInterval"/> on the injected clock; a failing queue (storage unreachable,
/// credentials refused) is logged and tried again after a back-off up to <see cref="JobsOptions.MaxFailureBackoff"/>,
/// never stopping the host.
/// </summary>
internal sealed partial class RequestListenerService(
    QueueClients queues,
    QueuedRequestProcessor processor,
    IOptions<JobsOptions> options,
    TimeProvider time,
    ILogger<RequestListenerService> logger) : BackgroundService
{
    private static readonly TimeSpan FirstPoll = TimeSpan.FromMilliseconds(100);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        JobsOptions o = options.Value;
        var polls = new Backoff(FirstPoll, o.MaxPollInterval < FirstPoll ? FirstPoll : o.MaxPollInterval);
        var failures = new Backoff(o.FirstFailureBackoff, o.MaxFailureBackoff);
        try
        {
            while (true)
            {
                QueueMessage[] messages;
                QueueClient queue;
                QueueClient poison;
                try
                {
                    (queue, poison) = await queues.GetRequestsAsync().WaitAsync(stoppingToken).ConfigureAwait(false);
                    messages = (await queue.ReceiveMessagesAsync(o.MaxConcurrentRequests, o.VisibilityTimeout, stoppingToken).ConfigureAwait(false)).Value;
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    // Whatever the SDK gives up with (a RequestFailedException, an AggregateException after its retries,
                    // a refused credential): this host's API needs no queue, so the listener waits and goes on.
                    TimeSpan pause = failures.Next();
                    LogReceiveFailed(e, pause);
                    await Task.Delay(pause, time, stoppingToken).ConfigureAwait(false);
                    continue;
                }

                failures.Reset();
                if (messages.Length == 0)
                {
                    await Task.Delay(polls.Next(), time, stoppingToken).ConfigureAwait(false);
                    continue;
                }

                polls.Reset();
                await Task.WhenAll(messages.Select(m => RunAsync(new StorageJobDelivery(queue, poison, m), o, stoppingToken))).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task RunAsync(IJobDelivery delivery, JobsOptions o, CancellationToken stoppingToken)
    {
        try
        {
            try
            {
                await processor.ProcessAsync(delivery.Body, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // Shutting down: the lease lapses and another instance answers it.
                return;
            }
            catch (Exception e) when (delivery.DequeueCount >= o.MaxDequeueCount)
            {
                LogPoisoned(e, delivery.DequeueCount);
                await delivery.DeadLetterAsync(e.Message, CancellationToken.None).ConfigureAwait(false);
                return;
            }
            catch (Exception e)
            {
                LogRetry(e, delivery.DequeueCount);
                await delivery.AbandonAsync(o.RetryDelay, CancellationToken.None).ConfigureAwait(false);
                return;
            }

            await delivery.CompleteAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Settling failed: the lease lapses and the message comes back.
            LogSettleFailed(e);
        }
    }

    [LoggerMessage(EventId = 942, Level = LogLevel.Warning, Message = "A queued request failed (delivery {DequeueCount}); it will be retried")]
    private partial void LogRetry(Exception exception, int dequeueCount);

    [LoggerMessage(EventId = 943, Level = LogLevel.Error, Message = "A queued request failed on delivery {DequeueCount}, the last allowed; it moves to the poison queue")]
    private partial void LogPoisoned(Exception exception, int dequeueCount);

    [LoggerMessage(EventId = 944, Level = LogLevel.Warning, Message = "Receiving from the request queue failed; trying again in {Pause}")]
    private partial void LogReceiveFailed(Exception exception, TimeSpan pause);

    [LoggerMessage(EventId = 945, Level = LogLevel.Warning, Message = "Settling a queued request's message failed; it will be delivered again")]
    private partial void LogSettleFailed(Exception exception);
}
