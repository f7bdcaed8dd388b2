// Data-plane roles for one principal, each on one container or queue of the storage account — never on the account
// or the resource group — so that the app's identity can touch only what it owns (issue 11, item 2): the containers
// and queues must exist first (storage.bicep creates them).
@description('Name of an existing storage account in this resource group.')
param storageAccountName string

@description('Object id of the principal (the app\'s user-assigned identity).')
param principalId string

@description('Built-in role definition ids to grant, each on one existing container.')
param containerRoles { container: string, roleId: string }[]

@description('Built-in role definition ids to grant, each on one existing queue.')
param queueRoles { queue: string, roleId: string }[]

resource account 'Microsoft.Storage/storageAccounts@2025-06-01' existing = {
  name: storageAccountName
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-06-01' existing = {
  parent: account
  name: 'default'
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2025-06-01' existing = {
  parent: account
  name: 'default'
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-06-01' existing = [
  for grant in containerRoles: {
    parent: blobService
    name: grant.container
  }
]

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2025-06-01' existing = [
  for grant in queueRoles: {
    parent: queueService
    name: grant.queue
  }
]

resource containerAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (grant, i) in containerRoles: {
    scope: containers[i]
    name: guid(containers[i].id, principalId, grant.roleId)
    properties: {
      principalId: principalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', grant.roleId)
    }
  }
]

resource queueAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (grant, i) in queueRoles: {
    scope: queues[i]
    name: guid(queues[i].id, principalId, grant.roleId)
    properties: {
      principalId: principalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', grant.roleId)
    }
  }
]
