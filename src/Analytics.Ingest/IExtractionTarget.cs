using Analytics.Core.Assets;
using Analytics.Core.Ingest;
using Npgsql;

namespace Analytics.Ingest;

/// <summary>What one read of a window gave: rows handed on, characters read, the last (watermark, key) read, and whether max_rows_per_window cut it.</summary>
public sealed record WindowRead(long Rows, long Bytes, object[]? Cursor, bool Full);

/// <summary>A valid row with its place in the read order, as its declared columns' fields in PostgreSQL's binary COPY encoding.</summary>
public delegate void CopyFieldsWriter(long line, ReadOnlySpan<byte> fields);

/// <summary>
/// Reads one window from the source database: each valid row, with its place in the read order, goes to
/// <paramref name="write"/>, or to <paramref name="writeFields"/> as it came when the target takes that and the source's
/// types allow it (see <see cref="BinaryPassThrough"/>); each rejected one, with its reason, to
/// <paramref name="rejects"/>. May be called again (a re-read).
/// </summary>
public delegate Task<WindowRead> WindowReader(Action<long, SourceRow> write, CopyFieldsWriter? writeFields, RejectSpool rejects,
    CancellationToken cancellationToken);

/// <summary>
/// Where a database source's windows land (<see cref="DatabaseExtractor"/> reads them): the warehouse's <c>raw.KEY</c>,
/// written by primary key, and its rejected rows; and the PostgreSQL database that keeps the loads and the watermark,
/// committed with each window (the warehouse itself, or the run store for a warehouse elsewhere).
/// </summary>
public interface IExtractionTarget
{
    /// <summary>Where the ingest manifest and the watermarks live; each window's bookkeeping commits in one transaction there.</summary>
    NpgsqlDataSource Bookkeeping { get; }

    /// <summary>Makes the source's tables (and the bookkeeping's) if they are missing; called before an extraction's first window.</summary>
    Task PrepareAsync(AssetDefinition source, CancellationToken cancellationToken);

    /// <summary>Called after an extraction's last window, whether or not it succeeded (whatever <see cref="PrepareAsync"/> set aside, it puts back).</summary>
    Task FinishAsync(AssetDefinition source, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Writes one window by primary key (a row read again replaces its earlier copy), and its rejected rows, under load
    /// <paramref name="loadId"/>; returns what was read and how many rows were rejected. <paramref name="transaction"/> is
    /// the bookkeeping's, committed by the caller after this returns.
    /// </summary>
    Task<(WindowRead Read, long Rejected)> WriteAsync(AssetDefinition source, long loadId, string origin, WindowReader reader,
        NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken);
}
