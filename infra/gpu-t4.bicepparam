// GPU variant, NVIDIA T4, HTTP only (no Service Bus). After the first deployment and `az acr build`, set
// functionsImage to the built image and deploy again (README, "Deploying to Azure").
using 'main.bicep'

param gpuProfileType = 'Consumption-GPU-NC8as-T4'
param functionsImage = ''
param minReplicas = 0
param maxReplicas = 2
param enableServiceBus = false
