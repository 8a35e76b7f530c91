import Foundation
import Testing

@testable import RehearseEngine

/// Where a major is looked for, and what the error says when it is nowhere: no server needed.
@Suite("PostgreSQL binaries search")
struct PostgresBinariesSearchTests {
    @Test func explicitFoldersFirstThenDebiansThenThePath() {
        let places = PostgresBinaries.searchPath(
            major: 16, explicit: ["/opt/pg16/bin"],
            environment: ["REHEARSE_PG_BIN": "/srv/pg/bin", "PATH": "/usr/local/bin:/opt/pg16/bin/:/usr/bin"])
        #expect(places == ["/opt/pg16/bin", "/srv/pg/bin", "/usr/lib/postgresql/16/bin", "/usr/local/bin", "/usr/bin"])
    }

    @Test func versionOutputOfEveryBuild() {
        #expect(PostgresBinaries.version(fromVersionOutput: "postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)\n") == "15.18")
        #expect(PostgresBinaries.version(fromVersionOutput: "postgres (PostgreSQL) 18.6\n") == "18.6")
        #expect(PostgresBinaries.version(fromVersionOutput: "initdb 17beta2") == "17beta2")
    }

    @Test func notFoundSaysWhereAndHow() {
        let looked = ["/usr/lib/postgresql/17/bin (none)", "/opt/x (PostgreSQL 16.2)"]
        let message = PostgresBinaries.notFoundMessage(major: 17, looked: looked)
        #expect(message.hasPrefix("PostgreSQL 17 not found. Looked in: \(looked.joined(separator: "; "))"))
        #expect(message.contains("apt-get install postgresql-17"))
        #expect(message.contains("--pg-bin DIR"))
    }
}
