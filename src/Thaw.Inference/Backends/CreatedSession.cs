namespace Thaw.Inference.Backends;

/// <summary>A new session, and the file name of the prepared model written into the snapshot directory (null: none).</summary>
public sealed record CreatedSession(IEncoderSession Session, string? PreparedModelFile);
