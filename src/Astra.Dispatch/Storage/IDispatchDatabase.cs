namespace Astra.Dispatch.Storage;

/// <summary>
/// The database named by <c>Dispatch:Database</c>: a SQLite file, or PostgreSQL when it is a <c>postgresql://</c> URL.
/// The rule store, the delivery log and the claims all live in it.
/// </summary>
public interface IDispatchDatabase
{
    /// <summary>Which database this is, for people and logs: never the password.</summary>
    string Description { get; }

    /// <summary>Throws unless the database is reachable, migrated and takes a write (a read-only mount, a full disk, a standby).</summary>
    Task CheckWritableAsync(CancellationToken cancellationToken);
}
