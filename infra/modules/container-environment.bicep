// A workload-profiles Container Apps environment: the Consumption profile (every environment has one) plus,
// optionally, one serverless GPU profile. Serverless GPU profiles scale to zero and bill per second while a
// replica runs. Logs go to Azure Monitor through a diagnostic setting, which needs no workspace key.
@description('Environment name.')
param name string

@description('Azure region (it must offer serverless GPUs when gpuProfileType is set).')
param location string

@description('Tags for every resource.')
param tags object

@description('Serverless GPU profile type, or empty for a CPU-only environment.')
@allowed([
  ''
  'Consumption-GPU-NC8as-T4'
  'Consumption-GPU-NC24-A100'
])
param gpuProfileType string

@description('Name of the GPU workload profile in the environment.')
param gpuProfileName string

@description('Log Analytics workspace that receives the environment\'s logs.')
param workspaceId string

var consumption = [
  {
    name: 'Consumption'
    workloadProfileType: 'Consumption'
  }
]
var gpu = empty(gpuProfileType)
  ? []
  : [
      {
        name: gpuProfileName
        workloadProfileType: gpuProfileType
      }
    ]

resource environment 'Microsoft.App/managedEnvironments@2025-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    appLogsConfiguration: {
      destination: 'azure-monitor'
    }
    workloadProfiles: concat(consumption, gpu)
  }
}

resource logs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  scope: environment
  name: 'to-log-analytics'
  properties: {
    workspaceId: workspaceId
    logs: [
      {
        categoryGroup: 'allLogs'
        enabled: true
      }
    ]
  }
}

output id string = environment.id
