using Analytics.Core.Settings;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Analytics.Orchestration;

public static class SettingsBinding
{
    /// <summary>
    /// Binds an area's options from <c>Analytics:&lt;Area&gt;</c> (<paramref name="section"/>) with <c>BindConfiguration</c>,
    /// then fills each key left unset from its earlier name, if that is set (the one mapping, <see cref="SettingNames.Aliases"/>),
    /// and checks them when the host starts: a bad value stops it with the setting's name.
    /// </summary>
    public static OptionsBuilder<T> BindSettings<T>(this OptionsBuilder<T> builder, string section) where T : class
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(section);
        builder.BindConfiguration(section);
        builder.Configure<IConfiguration>((options, configuration) =>
        {
            var earlier = SettingNames.Aliases
                .Where(a => a.Key.StartsWith(section + ":", StringComparison.OrdinalIgnoreCase)
                            && string.IsNullOrWhiteSpace(configuration[a.Key]) && !string.IsNullOrWhiteSpace(configuration[a.Alias]))
                .ToDictionary(a => a.Key[(section.Length + 1)..], a => configuration[a.Alias]);
            if (earlier.Count > 0)
            {
                new ConfigurationBuilder().AddInMemoryCollection(earlier).Build().Bind(options);
            }
        });
        return builder.ValidateOnStart();
    }
}
