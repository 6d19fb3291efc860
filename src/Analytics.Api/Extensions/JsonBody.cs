using System.Text.Json;

namespace Analytics.Api.Extensions;

/// <summary>
/// Reads a write's JSON body within a size limit: 413 past it, 415 for another content type, 400 for JSON that is not
/// what the endpoint takes (with where, and <c>hint</c>: what to send instead).
/// </summary>
public static class JsonBody
{
    /// <summary>
    /// How the writes' bodies are read: snake_case names, a field the endpoint does not take is an error (not ignored),
    /// and nesting at most <paramref name="maxDepth"/> deep.
    /// </summary>
    public static JsonSerializerOptions Strict(int maxDepth) => new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
        MaxDepth = maxDepth,
    };

    public static async Task<(T? Body, IResult? Problem)> ReadAsync<T>(HttpRequest request, int maxBytes, JsonSerializerOptions options, string hint,
        CancellationToken cancellationToken) where T : class
    {
        if (request.ContentLength > maxBytes)
        {
            return (null, Problems.TooLarge($"The body is {request.ContentLength:N0} bytes; at most {maxBytes:N0} are read."));
        }

        if (!request.HasJsonContentType())
        {
            return (null, Problems.UnsupportedMediaType($"Send the body as JSON with content-type: application/json. {hint}"));
        }

        var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return (null, Problems.TooLarge($"The body is longer than {maxBytes:N0} bytes, the most that is read."));
            }

            buffer.Write(chunk, 0, read);
        }

        try
        {
            var parsed = JsonSerializer.Deserialize<T>(buffer.ToArray(), options);
            return parsed is null ? (null, Problems.BadRequest($"The body is JSON null; send an object. {hint}")) : (parsed, null);
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" (line {line + 1}, byte {e.BytePositionInLine + 1})" : "";
            return (null, Problems.BadRequest($"The body is not the JSON this endpoint takes{where}: {Problems.Clip(e.Message)} {hint}"));
        }
    }
}
