// Thaw on CPU, Functions Flex Consumption: no GPU, scale to zero with always-ready 0 by default, code (not a
// container) deployed as a zip. For small models and low traffic. Deploy: az deployment group create -g <rg>
// -f infra/main.cpu.bicep -p infra/cpu.bicepparam (README, "Deploying to Azure"). The GPU variant is main.bicep.
import { thawSettings, functionsHostStorageSettings } from 'modules/conventions.bicep'

@description('Azure region; it must offer Flex Consumption (az functionapp list-flexconsumption-locations).')
param location string = resourceGroup().location

@description('Name prefix of the resources: 1-9 lowercase letters and digits.')
@minLength(1)
@maxLength(9)
param namePrefix string = 'thaw'

@description('Instances kept running with no traffic (billed while idle); 0 scales to zero and each first request after idle is a cold start.')
@minValue(0)
param alwaysReadyInstances int = 0

@description('Most instances.')
@minValue(1)
param maximumInstanceCount int = 10

@description('Memory per instance in MB: 2048 holds the bundled models with room for batches.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Model loaded in the background when an instance starts (Thaw:Models:Prewarm:0).')
param prewarmModel string = 'all-minilm-l6-v2'

@description('Add the Service Bus job transport and its KEDA-scaled worker (thaw serve on a Consumption Container Apps environment).')
param enableServiceBus bool = false

@description('Service Bus tier, when enabled.')
@allowed([
  'Basic'
  'Standard'
])
param serviceBusSku string = 'Standard'

@description('Worker image (infra/docker/Dockerfile.worker without CUDA); empty deploys a placeholder.')
param workerImage string = ''

@description('Most worker replicas.')
@minValue(1)
param workerMaxReplicas int = 4

@description('Queued job messages (shards of a batch) per worker replica that KEDA aims for, and the shards a replica runs at once: 1 spreads a batch of N shards over min(N, workerMaxReplicas) replicas.')
@minValue(1)
@maxValue(64)
param workerMessagesPerReplica int = 1

@description('Containers that queued requests may be answered in (Thaw:Requests:ReplyContainers). The deployment creates them and grants the app Storage Blob Data Contributor on each alone; the app never creates one, and refuses at start one of Thaw\'s own.')
param replyContainers string[] = []

@description('Queues that queued requests may be answered on (Thaw:Requests:ReplyQueues). The deployment creates them and grants the app Storage Queue Data Message Sender on each alone.')
param replyQueues string[] = []

@description('Days Log Analytics keeps data.')
param logRetentionInDays int = 30

@description('Daily ingestion cap in GB for Log Analytics (-1: no cap).')
param logDailyQuotaGb int = 1

@description('Tags for every resource.')
param tags object = {
  app: 'thaw'
}

var uniqueSuffix = uniqueString(resourceGroup().id)
var deploymentContainer = 'thaw-app-package'
var serviceBusNamespaceName = enableServiceBus ? 'sb-${namePrefix}-${uniqueSuffix}' : ''

module foundation 'modules/foundation.bicep' = {
  name: 'foundation'
  params: {
    namePrefix: namePrefix
    uniqueSuffix: uniqueSuffix
    location: location
    tags: tags
    extraContainers: [deploymentContainer]
    replyContainers: replyContainers
    replyQueues: replyQueues
    logRetentionInDays: logRetentionInDays
    logDailyQuotaGb: logDailyQuotaGb
  }
}

var settings = thawSettings(
  foundation.outputs.blobEndpoint,
  foundation.outputs.identityClientId,
  'Cpu',
  prewarmModel,
  foundation.outputs.appInsightsConnectionString,
  serviceBusNamespaceName,
  replyContainers,
  replyQueues
)

module functions 'modules/flex-function-app.bicep' = {
  name: 'functions'
  params: {
    name: 'func-${namePrefix}-${uniqueSuffix}'
    location: location
    tags: tags
    identityId: foundation.outputs.identityId
    blobEndpoint: foundation.outputs.blobEndpoint
    deploymentContainer: deploymentContainer
    settings: union(
      functionsHostStorageSettings(foundation.outputs.storageAccountName, foundation.outputs.identityClientId),
      settings
    )
    alwaysReadyInstances: alwaysReadyInstances
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
  }
}

// The worker needs a container platform, which Flex is not: a Consumption-only Container Apps environment and a
// registry, created only with Service Bus. An environment without a GPU profile has no idle charge.
module registry 'modules/registry.bicep' = if (enableServiceBus) {
  name: 'registry'
  params: {
    name: 'cr${namePrefix}${uniqueSuffix}'
    location: location
    tags: tags
    pullPrincipalId: foundation.outputs.identityPrincipalId
  }
}

module environment 'modules/container-environment.bicep' = if (enableServiceBus) {
  name: 'environment'
  params: {
    name: 'cae-${namePrefix}-${uniqueSuffix}'
    location: location
    tags: tags
    gpuProfileType: ''
    gpuProfileName: ''
    workspaceId: foundation.outputs.workspaceId
  }
}

module jobs 'modules/job-worker.bicep' = if (enableServiceBus) {
  name: 'jobs'
  params: {
    namePrefix: namePrefix
    serviceBusNamespaceName: serviceBusNamespaceName
    location: location
    tags: tags
    serviceBusSku: serviceBusSku
    identityId: foundation.outputs.identityId
    identityPrincipalId: foundation.outputs.identityPrincipalId
    environmentId: environment!.outputs.id
    workloadProfileName: 'Consumption'
    cpu: '2'
    memory: '4Gi'
    registryServer: registry!.outputs.loginServer
    image: workerImage
    maxReplicas: workerMaxReplicas
    messagesPerReplica: workerMessagesPerReplica
    settings: settings
  }
}

@description('Base URL of the OpenAI-compatible API (POST /v1/embeddings, GET /readyz).')
output endpoint string = 'https://${functions.outputs.defaultHostName}'

@description('Storage account of the snapshot store, origins, files and queues.')
output storageAccountName string = foundation.outputs.storageAccountName

@description('Functions app name (az functionapp deployment source config-zip -n <this>).')
output functionsAppName string = functions.outputs.name

@description('Command that prints the host key to send as x-functions-key.')
output functionKeyCommand string = 'az functionapp keys list -g ${resourceGroup().name} -n ${functions.outputs.name} --query functionKeys.default -o tsv'

@description('Client id of the app identity (Thaw:Storage:ManagedIdentityClientId).')
output identityClientId string = foundation.outputs.identityClientId

@description('Registry for the worker image, or empty without Service Bus.')
output registryName string = enableServiceBus ? registry!.outputs.name : ''

@description('Service Bus namespace, or empty when disabled.')
output serviceBusNamespace string = serviceBusNamespaceName
