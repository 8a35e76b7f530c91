import Foundation
import PostgresClient
import RehearseSupport

/// The `snapshot` step: records the catalog fingerprint and every table's checksum under a name.
enum SnapshotStep {
    static func run(name: String, context: StepContext, keepCopy: Bool) async -> StepMeasurement {
        var measurement = StepMeasurement()
        let start = monotonicNanos()
        do {
            let connection = try await context.connect()
            let (fingerprint, data, applied) = try await connection.cancellable { session in
                (try CatalogFingerprint.take(session), try DataChecksum.take(session), try MigrationTracker.applied(session))
            }
            await context.release(connection)
            var copy: String?
            if keepCopy {
                let copyName = "\(context.database)_snap_\(name.replacingOccurrences(of: "-", with: "_"))"
                try await context.sessions.keepingBystandersOff {
                    let admin = try await Connection.connect(context.host.conninfo(database: context.host.maintenanceDatabase))
                    do {
                        try await DatabaseCloner.closeSessions(on: context.database, admin: admin)
                    } catch {
                        await admin.close()
                        throw error
                    }
                    await admin.close()
                    try await context.host.createDatabase(copyName, template: context.database)
                }
                copy = copyName
            }
            context.snapshots.add(
                Snapshot(name: name, fingerprint: fingerprint, data: data, appliedMigrations: applied, copyDatabase: copy))
            measurement.record(batchNanos: monotonicNanos() - start, rows: data.tables.values.reduce(0) { $0 + $1.rows })
        } catch {
            measurement.fail(asPostgres(error))
        }
        return measurement
    }
}
