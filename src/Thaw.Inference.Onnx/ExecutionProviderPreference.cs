namespace Thaw.Inference.Onnx;

public enum ExecutionProviderPreference
{
    Auto,
    Cuda,
    Cpu,
}
