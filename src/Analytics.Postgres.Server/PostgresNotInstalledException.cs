namespace Analytics.Postgres.Server;

/// <summary>The PostgreSQL server binaries are missing; the message says how to install them.</summary>
public sealed class PostgresNotInstalledException(string message) : Exception(message);
