// Thaw on a serverless GPU: the Functions app runs on Azure Container Apps (native Functions support, kind
// functionapp) on a Consumption GPU workload profile with minimum replicas 0, so an idle deployment runs no
// compute. Deploy: az deployment group create -g <rg> -f infra/main.bicep -p infra/gpu-t4.bicepparam (README,
// "Deploying to Azure"). The CPU variant on Flex Consumption is main.cpu.bicep.
import { thawSettings, functionsHostStorageSettings } from 'modules/conventions.bicep'

@description('Azure region; it must offer serverless GPUs of the chosen type (see README).')
param location string = resourceGroup().location

@description('Name prefix of the resources: 1-9 lowercase letters and digits.')
@minLength(1)
@maxLength(9)
param namePrefix string = 'thaw'

@description('Serverless GPU: Consumption-GPU-NC8as-T4 (16 GB, 8 vCPU, 56 GiB) or Consumption-GPU-NC24-A100 (80 GB, 24 vCPU, 220 GiB).')
@allowed([
  'Consumption-GPU-NC8as-T4'
  'Consumption-GPU-NC24-A100'
])
param gpuProfileType string = 'Consumption-GPU-NC8as-T4'

@description('Functions image (infra/docker/Dockerfile.gpu) in the registry this deployment creates, e.g. <registry>.azurecr.io/thaw-functions-gpu:1; empty deploys a public placeholder so that the registry exists before the first az acr build.')
param functionsImage string = ''

@description('Fewest Functions replicas: 0 scales to zero (no GPU billed while idle, a cold start on the next request).')
@minValue(0)
param minReplicas int = 0

@description('Most Functions replicas (each holds one GPU).')
@minValue(1)
param maxReplicas int = 2

@description('Model loaded in the background when a replica starts (Thaw:Models:Prewarm:0).')
param prewarmModel string = 'all-minilm-l6-v2'

@description('Add the Service Bus job transport and its KEDA-scaled worker (thaw serve).')
param enableServiceBus bool = false

@description('Service Bus tier, when enabled.')
@allowed([
  'Basic'
  'Standard'
])
param serviceBusSku string = 'Standard'

@description('Worker image (infra/docker/Dockerfile.worker with CUDA); empty deploys a placeholder.')
param workerImage string = ''

@description('Most worker replicas (each holds one GPU).')
@minValue(1)
param workerMaxReplicas int = 2

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
var gpuProfileName = 'gpu'
// A serverless GPU replica gets the whole card with a fixed CPU and memory share.
var gpuReplicaSize = gpuProfileType == 'Consumption-GPU-NC24-A100'
  ? { cpu: '24', memory: '220Gi' }
  : { cpu: '8', memory: '56Gi' }
var serviceBusNamespaceName = enableServiceBus ? 'sb-${namePrefix}-${uniqueSuffix}' : ''

module foundation 'modules/foundation.bicep' = {
  name: 'foundation'
  params: {
    namePrefix: namePrefix
    uniqueSuffix: uniqueSuffix
    location: location
    tags: tags
    extraContainers: []
    replyContainers: replyContainers
    replyQueues: replyQueues
    logRetentionInDays: logRetentionInDays
    logDailyQuotaGb: logDailyQuotaGb
  }
}

module registry 'modules/registry.bicep' = {
  name: 'registry'
  params: {
    name: 'cr${namePrefix}${uniqueSuffix}'
    location: location
    tags: tags
    pullPrincipalId: foundation.outputs.identityPrincipalId
  }
}

module environment 'modules/container-environment.bicep' = {
  name: 'environment'
  params: {
    name: 'cae-${namePrefix}-${uniqueSuffix}'
    location: location
    tags: tags
    gpuProfileType: gpuProfileType
    gpuProfileName: gpuProfileName
    workspaceId: foundation.outputs.workspaceId
  }
}

var settings = thawSettings(
  foundation.outputs.blobEndpoint,
  foundation.outputs.identityClientId,
  'Cuda',
  prewarmModel,
  foundation.outputs.appInsightsConnectionString,
  serviceBusNamespaceName,
  replyContainers,
  replyQueues
)

module functions 'modules/container-app.bicep' = {
  name: 'functions'
  params: {
    name: 'ca-${namePrefix}-fn'
    location: location
    tags: tags
    kind: 'functionapp'
    environmentId: environment.outputs.id
    workloadProfileName: gpuProfileName
    identityId: foundation.outputs.identityId
    registryServer: registry.outputs.loginServer
    image: empty(functionsImage) ? 'mcr.microsoft.com/azure-functions/dotnet8-quickstart-demo:1.0' : functionsImage
    args: []
    settings: union(
      functionsHostStorageSettings(foundation.outputs.storageAccountName, foundation.outputs.identityClientId),
      settings
    )
    cpu: gpuReplicaSize.cpu
    memory: gpuReplicaSize.memory
    minReplicas: minReplicas
    maxReplicas: maxReplicas
    // Thaw's image runs as a non-root user, which cannot bind port 80: its host listens on 8080
    // (infra/docker/Dockerfile.gpu). The public placeholder listens on 80.
    ingressTargetPort: empty(functionsImage) ? 80 : 8080
    scaleRules: []
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
    environmentId: environment.outputs.id
    workloadProfileName: gpuProfileName
    cpu: gpuReplicaSize.cpu
    memory: gpuReplicaSize.memory
    registryServer: registry.outputs.loginServer
    image: workerImage
    maxReplicas: workerMaxReplicas
    messagesPerReplica: workerMessagesPerReplica
    settings: settings
  }
}

@description('Base URL of the OpenAI-compatible API (POST /v1/embeddings, GET /readyz).')
output endpoint string = 'https://${functions.outputs.fqdn}'

@description('Storage account of the snapshot store, origins, files and queues.')
output storageAccountName string = foundation.outputs.storageAccountName

@description('Registry to build the images into (az acr build -r <this>).')
output registryName string = registry.outputs.name

@description('Login server for image names.')
output registryLoginServer string = registry.outputs.loginServer

@description('Functions app name.')
output functionsAppName string = functions.outputs.name

@description('Command that prints the host key to send as x-functions-key (az CLI with the containerapp extension).')
output functionKeyCommand string = 'az containerapp function keys list -g ${resourceGroup().name} -n ${functions.outputs.name} --key-type hostKey'

@description('Client id of the app identity (Thaw:Storage:ManagedIdentityClientId).')
output identityClientId string = foundation.outputs.identityClientId

@description('Service Bus namespace, or empty when disabled.')
output serviceBusNamespace string = serviceBusNamespaceName
