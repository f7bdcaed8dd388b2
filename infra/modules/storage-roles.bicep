// Data-plane roles on the storage account for one principal: scoped to the account (the Functions host needs
// containers of its own that it creates at run time, e.g. azure-webjobs-hosts), never to the resource group.
@description('Name of an existing storage account in this resource group.')
param storageAccountName string

@description('Object id of the principal (the app\'s user-assigned identity).')
param principalId string

@description('Built-in role definition ids to grant.')
param roleDefinitionIds string[]

resource account 'Microsoft.Storage/storageAccounts@2025-06-01' existing = {
  name: storageAccountName
}

resource assignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in roleDefinitionIds: {
    scope: account
    name: guid(account.id, principalId, roleId)
    properties: {
      principalId: principalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    }
  }
]
