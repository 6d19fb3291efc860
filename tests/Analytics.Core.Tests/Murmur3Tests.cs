using System.Text;
using Analytics.Core.Ingest;

namespace Analytics.Core.Tests;

public class Murmur3Tests
{
    [Theory]
    [InlineData("", 0x0000000000000000UL, 0x0000000000000000UL)]
    [InlineData("hello", 0xcbd8a7b341bd9b02UL, 0x5b1e906a48ae1d19UL)]
    [InlineData("The quick brown fox jumps over the lazy dog", 0xe34bbc7bbc071b6cUL, 0x7a433ca9c49a9347UL)]
    public void Hash_matches_the_reference_implementation(string text, ulong h1, ulong h2) =>
        Assert.Equal((h1, h2), Murmur3.Hash128(Encoding.UTF8.GetBytes(text)));
}
