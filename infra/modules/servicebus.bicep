// The Service Bus job transport: a namespace with local (SAS) auth off, so only Entra identities can use it, one
// queue, and the app identity's send and receive roles scoped to that queue alone.
import { serviceBusJobQueue, roles } from 'conventions.bicep'

@description('Namespace name, unique in Azure.')
param name string

@description('Azure region.')
param location string

@description('Tags for every resource.')
param tags object

@description('Basic has no hourly base charge; Standard has one (see README) and adds topics, sessions and duplicate detection, which Thaw does not use.')
@allowed([
  'Basic'
  'Standard'
])
param sku string

@description('Object id of the app\'s user-assigned identity.')
param principalId string

resource namespace 'Microsoft.ServiceBus/namespaces@2024-01-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: sku
    tier: sku
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
  }
}

resource queue 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' = {
  parent: namespace
  name: serviceBusJobQueue
  properties: {
    // A batch chunk can take minutes on a cold GPU: a long lock keeps a second worker off the same message.
    lockDuration: 'PT5M'
    maxDeliveryCount: 5
    deadLetteringOnMessageExpiration: true
  }
}

// Sender: POST /v1/batches enqueues; Receiver: the worker takes jobs (and KEDA reads the queue length with it).
resource assignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in [roles.serviceBusDataReceiver, roles.serviceBusDataSender]: {
    scope: queue
    name: guid(queue.id, principalId, roleId)
    properties: {
      principalId: principalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    }
  }
]

output namespaceName string = namespace.name
output queueName string = queue.name
