using Analytics.Testing;

namespace Analytics.Api.Tests;

/// <summary>Three small assets, one of them slow, to watch runs queue, wait, fail and get canceled.</summary>
public static class DemoAssets
{
    public static string Write(double slowSeconds = 2) => TestFiles.Assets(new()
    {
        ["demo/quick.sql"] = "/*\ndescription: one row\ntags: [demo]\nchecks:\n  - unique: x\n*/\nselect 1 as x",
        ["demo/slow.sql"] = $"/*\ndescription: takes its time\n*/\nselect q.x, pg_sleep({slowSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)})::text as slept from {{{{ ref('quick') }}}} q",
        ["demo/after_slow.sql"] = "select x + 1 as y from {{ ref('slow') }}",
    });
}
