// The Service Bus job transport and its worker: the standalone host (thaw serve) in a container app that KEDA's
// azure-servicebus scaler runs from 0 replicas while the queue is empty up to maxReplicas, reading the queue
// length with the app identity (the scale rule's identity field) instead of a connection string. A large batch is
// split into one message per shard (Thaw:Jobs:ShardLines), so the queue length is the shards waiting: KEDA asks for
// ceil(messages / messagesPerReplica) replicas, at most maxReplicas, and each replica runs messagesPerReplica at once.
@description('Name prefix of the resources.')
param namePrefix string

@description('Service Bus namespace name (also in the settings, which the caller builds before the namespace exists).')
param serviceBusNamespaceName string

@description('Azure region.')
param location string

@description('Tags for every resource.')
param tags object

@description('Service Bus tier.')
@allowed([
  'Basic'
  'Standard'
])
param serviceBusSku string

@description('Resource id of the app identity.')
param identityId string

@description('Object id of the app identity.')
param identityPrincipalId string

@description('Container Apps environment id.')
param environmentId string

@description('Workload profile the worker runs on (the GPU profile on the GPU variant).')
param workloadProfileName string

@description('vCPUs per worker replica.')
param cpu string

@description('Memory per worker replica.')
param memory string

@description('Login server of the registry the worker image comes from.')
param registryServer string

@description('Worker image (the standalone host, infra/docker/Dockerfile.worker); empty deploys a placeholder until it is built.')
param image string

@description('Most worker replicas.')
@minValue(1)
param maxReplicas int

@description('Queued job messages (shards) per replica that KEDA aims for; also the jobs one replica runs at once (Thaw:Jobs:MaxConcurrentJobs).')
@minValue(1)
@maxValue(64)
param messagesPerReplica int

@description('Thaw settings of the worker (thawSettings() in conventions.bicep, with the Service Bus keys).')
param settings object

module serviceBus 'servicebus.bicep' = {
  name: 'servicebus'
  params: {
    name: serviceBusNamespaceName
    location: location
    tags: tags
    sku: serviceBusSku
    principalId: identityPrincipalId
  }
}

module worker 'container-app.bicep' = {
  name: 'worker'
  params: {
    name: 'ca-${namePrefix}-worker'
    location: location
    tags: tags
    kind: ''
    environmentId: environmentId
    workloadProfileName: workloadProfileName
    identityId: identityId
    registryServer: registryServer
    // The placeholder (a public sample image) has no thaw executable to pass arguments to.
    image: empty(image) ? 'mcr.microsoft.com/k8se/quickstart:latest' : image
    args: empty(image) ? [] : ['serve']
    settings: union(settings, { Thaw__Jobs__MaxConcurrentJobs: string(messagesPerReplica) })
    cpu: cpu
    memory: memory
    minReplicas: 0
    maxReplicas: maxReplicas
    // No ingress: thaw serve keeps its default loopback address; jobs arrive through the queue only.
    ingressTargetPort: 0
    scaleRules: [
      {
        name: 'jobs-queue'
        custom: {
          type: 'azure-servicebus'
          identity: identityId
          metadata: {
            namespace: serviceBus.outputs.namespaceName
            queueName: serviceBus.outputs.queueName
            messageCount: string(messagesPerReplica)
          }
        }
      }
    ]
  }
}

output serviceBusNamespace string = serviceBus.outputs.namespaceName
output workerName string = worker.outputs.name
