namespace Thaw.Inference.KeepAlive;

/// <summary>What the pool did when the keep-alive scheduler told it a model's keep-alive had ended.</summary>
internal enum IdleUnload
{
    /// <summary>The model was idle: it is being unloaded.</summary>
    Unloaded,

    /// <summary>The model still holds accepted work, or requests wait for it: the scheduler looks again a little later.</summary>
    Busy,

    /// <summary>Nothing to do: the model is not loaded, or it was used after this keep-alive was armed.</summary>
    Skipped,
}
