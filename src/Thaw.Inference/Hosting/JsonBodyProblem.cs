namespace Thaw.Inference.Hosting;

/// <summary>Why bytes are not a JSON request body Thaw reads (see <see cref="JsonBodyRules"/>).</summary>
public enum JsonBodyProblem
{
    None,
    TooLarge,
    Empty,
    NotUtf8,
}
