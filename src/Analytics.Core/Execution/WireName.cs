using System.Collections.Concurrent;
using System.Text.Json;

namespace Analytics.Core.Execution;

/// <summary>
/// How the engine's enums are written in the run store, the events and the API: snake_case
/// (<c>StepStatus.CheckFailed</c> is <c>check_failed</c>), the same names JSON serialization gives them.
/// </summary>
public static class WireName
{
    private static readonly ConcurrentDictionary<Enum, string> Names = new();

    public static string Of<T>(T value) where T : struct, Enum =>
        Names.GetOrAdd(value, v => JsonNamingPolicy.SnakeCaseLower.ConvertName(v.ToString()));

    /// <summary>The enum value written as <paramref name="text"/>; an unknown name is an error naming the known ones.</summary>
    public static T Parse<T>(string text) where T : struct, Enum
    {
        foreach (var value in Enum.GetValues<T>())
        {
            if (Of(value) == text)
            {
                return value;
            }
        }

        throw new FormatException($"'{text}' is no {typeof(T).Name}; expected one of {string.Join(", ", Enum.GetValues<T>().Select(Of))}.");
    }
}
