using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Thaw.Http.Security;

/// <summary>
/// The configured keys as SHA-256 digests with their owners, compared in constant time: neither a key's content nor
/// its length leaks by timing, and every key is compared whether or not an earlier one matched.
/// </summary>
internal sealed class ApiKeyVerifier(IOptions<ApiKeyOptions> options)
{
    private readonly (byte[] Digest, string Owner)[] _keys = options.Value.Keys()
        .Select(k => (SHA256.HashData(Encoding.UTF8.GetBytes(k.Key)), k.Owner))
        .ToArray();

    /// <summary>The owner of <paramref name="presented"/>, or null when it is no configured key.</summary>
    public string? OwnerOf(string presented)
    {
        byte[] digest = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        string? owner = null;
        foreach ((byte[] key, string keyOwner) in _keys)
        {
            // No early exit: validation admits each key under one owner only, so at most one matches.
            if (CryptographicOperations.FixedTimeEquals(digest, key))
            {
                owner = keyOwner;
            }
        }

        return owner;
    }
}
