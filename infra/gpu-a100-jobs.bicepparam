// GPU variant, NVIDIA A100, with the Service Bus job transport and its KEDA-scaled worker: for overnight batch
// jobs that want the biggest GPU batches. Both apps scale to zero.
using 'main.bicep'

param gpuProfileType = 'Consumption-GPU-NC24-A100'
param functionsImage = ''
param minReplicas = 0
param maxReplicas = 2
param enableServiceBus = true
param serviceBusSku = 'Standard'
param workerImage = ''
param workerMaxReplicas = 2
// Where queued requests may be answered (Thaw:Requests): created with the deployment, the app's only write access
// outside Thaw's own containers and queues.
param replyContainers = ['thaw-replies']
param replyQueues = ['thaw-replies']
