namespace Thaw.Inference.Settings;

/// <summary>
/// One configuration section a host binds and validates at start (registered by
/// <see cref="ThawOptionsServiceCollectionExtensions.AddThawOptions{TOptions}"/>), so that a host can list its
/// settings and tests can walk every bound of every section it reads.
/// </summary>
/// <param name="Path">The section, e.g. <c>Thaw:Batching</c>.</param>
/// <param name="OptionsType">The options type bound to it.</param>
public sealed record OptionsSection(string Path, Type OptionsType);
