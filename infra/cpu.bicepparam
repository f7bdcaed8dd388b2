// CPU variant on Functions Flex Consumption, scale to zero (always-ready 0), no Service Bus.
using 'main.cpu.bicep'

param alwaysReadyInstances = 0
param maximumInstanceCount = 10
param instanceMemoryMB = 2048
param enableServiceBus = false
