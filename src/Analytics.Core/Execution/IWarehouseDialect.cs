using Analytics.Core.Templating;

namespace Analytics.Core.Execution;

/// <summary>The SQL dialect a warehouse speaks, which the assets compile to.</summary>
public interface IWarehouseDialect
{
    ISqlDialect Dialect { get; }
}
