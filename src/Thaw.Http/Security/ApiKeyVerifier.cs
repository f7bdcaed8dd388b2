using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Thaw.Http.Security;

/// <summary>
/// The configured keys as SHA-256 digests, compared in constant time: neither a key's content nor its length leaks
/// by timing, and every key is compared whether or not an earlier one matched.
/// </summary>
internal sealed class ApiKeyVerifier(IOptions<ApiKeyOptions> options)
{
    private readonly byte[][] _digests = options.Value.ApiKeys
        .Where(k => !string.IsNullOrWhiteSpace(k))
        .Select(k => SHA256.HashData(Encoding.UTF8.GetBytes(k.Trim())))
        .ToArray();

    public bool Accepts(string presented)
    {
        byte[] digest = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        bool match = false;
        foreach (byte[] key in _digests)
        {
            match |= CryptographicOperations.FixedTimeEquals(digest, key);
        }

        return match;
    }
}
