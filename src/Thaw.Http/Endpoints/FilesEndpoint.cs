using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Thaw.Http.Contracts;
using Thaw.Http.Errors;
using Thaw.Http.Responses;
using Thaw.Http.Security;
using Thaw.Inference.Jobs;

namespace Thaw.Http.Endpoints;

/// <summary>
/// The Files API for batch input: <c>POST /v1/files</c> (multipart/form-data, <c>purpose=batch</c> and <c>file</c>,
/// streamed into the file store with a size limit), <c>GET /v1/files</c> (paged), <c>GET /v1/files/{id}</c>,
/// <c>GET /v1/files/{id}/content</c> and <c>DELETE /v1/files/{id}</c>. Each sees the caller's owner's files only
/// (<see cref="CallerOwner"/>): another owner's id answers 404 exactly like an id that names no file.
/// </summary>
public sealed class FilesEndpoint(IFileStore files, IOptions<JobsOptions> options, ILogger<FilesEndpoint> logger)
{
    // Form fields other than the file are a few bytes; the multipart frame adds a few hundred.
    private const int MaxFieldChars = 256;
    internal const long MultipartOverheadBytes = 64 * 1024;

    // The SDKs send 'purpose' and 'file' (and OpenAI's expires_after fields): a few parts. Every part is read, even
    // one that is ignored, so without a limit a client could make the server parse parts for ever.
    internal const int MaxParts = 16;

    /// <summary>
    /// The longest file name kept, in UTF-8 bytes: what most file systems allow, and far within Blob Storage's 8 KiB of
    /// metadata once escaped (OpenAI documents no limit of its own).
    /// </summary>
    public const int MaxFilenameBytes = 255;

    // OpenAI's bounds on an upload's expires_after[seconds] (its API reference): 1 hour to 30 days.
    private const int MinExpirySeconds = 3600;
    private const int MaxExpirySeconds = 30 * 24 * 3600;

    // OpenAI's bound and default for GET /v1/files (its API reference).
    internal const int MaxListLimit = 10_000;

    public Task<IResult> UploadAsync(HttpRequest request)
    {
        CancellationToken aborted = request.HttpContext.RequestAborted;
        return ApiGuard.RunAsync(async () =>
        {
            long maxBytes = options.Value.MaxFileBytes;
            if (request.ContentLength > maxBytes + MultipartOverheadBytes)
            {
                throw new ApiException(ApiError.TooLarge("file", $"The file is larger than {maxBytes} bytes (Thaw:Jobs:MaxFileBytes)."));
            }

            if (!MediaTypeHeaderValue.TryParse(request.ContentType, out MediaTypeHeaderValue? mediaType)
                || !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
                || HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value is not { Length: > 0 } boundary)
            {
                throw new ApiException(ApiError.BadRequest(null,
                    "Upload the file as multipart/form-data with the fields 'purpose' (batch) and 'file'.", "invalid_content_type"));
            }

            // The whole body, every part and frame included, is bounded (a chunked body declares no length).
            var body = new SizeLimitedStream(request.Body, maxBytes + MultipartOverheadBytes);
            var reader = new MultipartReader(boundary, body) { BodyLengthLimit = null };
            string? purpose = null;
            string? anchor = null;
            TimeSpan? expiresAfter = null;
            FileRecord? stored = null;
            int parts = 0;
            try
            {
                while (await NextSectionAsync(reader, aborted).ConfigureAwait(false) is { } section)
                {
                    if (++parts > MaxParts)
                    {
                        throw new ApiException(ApiError.BadRequest(null,
                            $"The multipart body has more than {MaxParts} parts; send 'purpose' and 'file'.", "invalid_multipart"));
                    }

                    if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out ContentDispositionHeaderValue? disposition))
                    {
                        continue;
                    }

                    string? name = HeaderUtilities.RemoveQuotes(disposition.Name).Value;
                    if (name == "purpose")
                    {
                        purpose = await ReadFieldAsync(section, "purpose", aborted).ConfigureAwait(false);
                        CheckPurpose(purpose);
                    }
                    else if (name == "expires_after[anchor]")
                    {
                        anchor = await ReadFieldAsync(section, name, aborted).ConfigureAwait(false);
                        if (anchor != "created_at")
                        {
                            throw new ApiException(ApiError.BadRequest(name, "'expires_after[anchor]' must be 'created_at'."));
                        }
                    }
                    else if (name == "expires_after[seconds]")
                    {
                        expiresAfter = ParseExpiresAfter(await ReadFieldAsync(section, name, aborted).ConfigureAwait(false));
                    }
                    else if (name == "file" && stored is null)
                    {
                        string filename = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value is { Length: > 0 } given
                            ? Path.GetFileName(given)
                            : "upload.jsonl";
                        if (Encoding.UTF8.GetByteCount(filename) > MaxFilenameBytes)
                        {
                            throw new ApiException(ApiError.BadRequest("file",
                                $"The file name is {Encoding.UTF8.GetByteCount(filename)} bytes long (UTF-8); the limit is {MaxFilenameBytes}.", "filename_too_long"));
                        }

                        // The SDKs send 'purpose' first; if it comes after the file, the file is checked once it does.
                        stored = await files.PutAsync(new FileUpload(filename, FilePurposes.Batch, maxBytes, Owner: CallerOwner.Of(request.HttpContext)), new MalformedMultipartStream(section.Body), aborted)
                            .ConfigureAwait(false);
                    }
                }

                if (purpose is null)
                {
                    throw new ApiException(ApiError.BadRequest("purpose", "'purpose' is required; Thaw stores files for 'batch'.", "missing_required_parameter"));
                }

                CheckPurpose(purpose);
                if (stored is null)
                {
                    throw new ApiException(ApiError.BadRequest("file", "'file' is required: the batch input, one JSON request per line.", "missing_required_parameter"));
                }

                if ((anchor is null) != (expiresAfter is null))
                {
                    throw new ApiException(ApiError.BadRequest("expires_after", "'expires_after' needs both 'anchor' (created_at) and 'seconds'.", "missing_required_parameter"));
                }

                // The SDKs send expires_after after the file: the expiry is set once the file is stored, whatever the order.
                if (expiresAfter is { } after)
                {
                    stored = await files.SetExpiryAsync(stored.Id, after, aborted).ConfigureAwait(false) ?? throw NotFound(stored.Id);
                }

                return new JsonResult<FileRecord>(stored, ThawJson.FileRecord);
            }
            catch (Exception e)
            {
                if (stored is not null)
                {
                    await files.DeleteAsync(stored.Id, CancellationToken.None).ConfigureAwait(false);
                }

                if (e is InvalidDataException malformed)
                {
                    throw new ApiException(ApiError.BadRequest(null, $"The multipart body is malformed: {malformed.Message}", "invalid_multipart"));
                }

                throw;
            }
        }, logger, aborted);
    }

    public Task<IResult> ListAsync(HttpRequest request)
    {
        CancellationToken aborted = request.HttpContext.RequestAborted;
        return ApiGuard.RunAsync(async () =>
        {
            FilePage page = await files.ListAsync(ListQuery(request.Query) with { Owner = CallerOwner.Of(request.HttpContext) }, aborted).ConfigureAwait(false);
            return new JsonResult<FileList>(new FileList { Data = page.Files, HasMore = page.HasMore }, ThawJson.FileList);
        }, logger, aborted);
    }

    public Task<IResult> GetAsync(string id, HttpRequest request)
    {
        CancellationToken aborted = request.HttpContext.RequestAborted;
        return ApiGuard.RunAsync(async () =>
        {
            FileRecord file = await GetOwnAsync(files, id, request.HttpContext).ConfigureAwait(false);
            return new JsonResult<FileRecord>(file, ThawJson.FileRecord);
        }, logger, aborted);
    }

    public Task<IResult> ContentAsync(string id, HttpRequest request)
    {
        CancellationToken aborted = request.HttpContext.RequestAborted;
        return ApiGuard.RunAsync(async () =>
        {
            FileRecord file = await GetOwnAsync(files, id, request.HttpContext).ConfigureAwait(false);
            Stream content = await files.OpenReadAsync(id, aborted).ConfigureAwait(false) ?? throw NotFound(id);
            return new StreamResult(content, "application/octet-stream", file.Bytes);
        }, logger, aborted);
    }

    /// <summary>OpenAI's list parameters: <c>limit</c> 1 to 10,000 (default 10,000), <c>order</c> by created_at, <c>after</c>, <c>purpose</c>.</summary>
    internal static FileQuery ListQuery(IQueryCollection query)
    {
        int limit = MaxListLimit;
        if (query["limit"] is { Count: > 0 } given
            && (!int.TryParse(given[0], NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxListLimit))
        {
            throw new ApiException(ApiError.BadRequest("limit", $"'limit' must be a whole number from 1 to {MaxListLimit}."));
        }

        string order = query["order"] is { Count: > 0 } sort ? sort[0]! : "desc";
        if (order is not ("asc" or "desc"))
        {
            throw new ApiException(ApiError.BadRequest("order", "'order' must be 'asc' or 'desc' (by created_at)."));
        }

        string? after = query["after"] is { Count: > 0 } cursor ? cursor[0] : null;
        string? purpose = query["purpose"] is { Count: > 0 } kind ? kind[0] : null;
        return new FileQuery(limit, after, purpose, order == "asc");
    }

    /// <summary>
    /// <c>DELETE /v1/files/{id}</c>, as OpenAI allows for any file: a batch still running on it as input fails at its
    /// next read with <c>input_file_missing</c> (its results so far are kept); its output files can be deleted too.
    /// </summary>
    public Task<IResult> DeleteAsync(string id, HttpRequest request)
    {
        CancellationToken aborted = request.HttpContext.RequestAborted;
        return ApiGuard.RunAsync(async () =>
        {
            await GetOwnAsync(files, id, request.HttpContext).ConfigureAwait(false);
            return await files.DeleteAsync(id, aborted).ConfigureAwait(false)
                ? new JsonResult<FileDeleted>(new FileDeleted { Id = id }, ThawJson.Context.FileDeleted)
                : throw NotFound(id);
        }, logger, aborted);
    }

    /// <summary>The file <paramref name="id"/> if it is the caller's; otherwise the same 404 as for no file at all.</summary>
    internal static async Task<FileRecord> GetOwnAsync(IFileStore files, string id, HttpContext context)
    {
        FileRecord? file = await files.GetAsync(id, context.RequestAborted).ConfigureAwait(false);
        return file is not null && file.Owner == CallerOwner.Of(context) ? file : throw NotFound(id);
    }

    internal static ApiException NotFound(string id) =>
        new(ApiError.NotFound("file_id", $"No file '{id}'.", "file_not_found"));

    private static void CheckPurpose(string purpose)
    {
        if (purpose != FilePurposes.Batch)
        {
            throw new ApiException(ApiError.BadRequest("purpose", $"'purpose' must be 'batch' (Thaw stores batch input files), not '{purpose}'."));
        }
    }

    private static async Task<MultipartSection?> NextSectionAsync(MultipartReader reader, CancellationToken cancellationToken)
    {
        try
        {
            return await reader.ReadNextSectionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e) when (e is not BadHttpRequestException)
        {
            throw MalformedMultipartStream.Malformed(e);
        }
    }

    private static TimeSpan ParseExpiresAfter(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int seconds) && seconds is >= MinExpirySeconds and <= MaxExpirySeconds
            ? TimeSpan.FromSeconds(seconds)
            : throw new ApiException(ApiError.BadRequest("expires_after[seconds]",
                $"'expires_after[seconds]' must be a whole number from {MinExpirySeconds} (1 hour) to {MaxExpirySeconds} (30 days)."));

    private static async Task<string> ReadFieldAsync(MultipartSection section, string param, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(new MalformedMultipartStream(section.Body));
        char[] buffer = new char[MaxFieldChars + 1];
        int read = await reader.ReadBlockAsync(buffer, cancellationToken).ConfigureAwait(false);
        return read > MaxFieldChars
            ? throw new ApiException(ApiError.BadRequest(param, $"A form field is longer than {MaxFieldChars} characters."))
            : new string(buffer, 0, read).Trim();
    }
}
