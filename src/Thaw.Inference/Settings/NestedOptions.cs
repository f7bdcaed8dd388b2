using System.Diagnostics.CodeAnalysis;

namespace Thaw.Inference.Settings;

/// <summary>
/// A section inside another options type (a property marked <see cref="Microsoft.Extensions.Options.ValidateObjectMembersAttribute"/>,
/// e.g. <c>Thaw:Batching:Bulk</c>). <see cref="OptionsValidation"/> reads its properties from the instance's type,
/// which nothing else names statically: in a trimmed (Native AOT) host only this annotation, which the trimmer applies
/// to every derived type, keeps them, and without them the section's bounds would silently go unchecked.
/// </summary>
[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)]
public abstract class NestedOptions;
