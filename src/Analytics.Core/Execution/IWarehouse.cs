namespace Analytics.Core.Execution;

/// <summary>
/// A warehouse adapter: everything the executor asks of one, by role, so each consumer depends on the role it uses
/// (the API on <see cref="IWarehouseReader"/>, the sweeper on <see cref="IBuildRecovery"/>, start-up on
/// <see cref="IWarehouseBuilder"/>). An adapter is registered once in DI (<c>AddPostgresWarehouse</c>,
/// <c>AddBigQueryWarehouse</c>), and each role resolves to it.
/// </summary>
public interface IWarehouse : IWarehouseBuilder, IIncrementalPlanning, IWarehouseChecks, IBuildRecovery, IWarehouseReader;
