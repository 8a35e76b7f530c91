import Testing

@testable import RehearseEngine
@testable import RehearseSQL

/// Which statements the exact lock recorder may run one by one, and which share a lock
/// read (no database: the locks of real runs are in ExactLocksTests).
@Suite("Exact locks: statements")
struct ExactLockStatementTests {
    /// Only a repeated `INSERT … VALUES` into the same target skips its lock read.
    @Test func repeatedInsertsShareOneLockRead() {
        #expect(ExactLockRecorder.insertTarget("INSERT INTO t VALUES (1, 'a')") == "INSERT INTO t")
        #expect(ExactLockRecorder.insertTarget("insert into t (a, b)\n  values (1, 2)") == "insert into t (a, b)\n ")
        #expect(ExactLockRecorder.insertTarget("INSERT INTO t SELECT * FROM u") == nil)
        #expect(ExactLockRecorder.insertTarget("INSERT INTO t (a) SELECT x FROM u WHERE y = ' VALUES'") == nil)
        #expect(ExactLockRecorder.insertTarget("UPDATE t SET a = 1") == nil)
    }

    /// What may not move from one query into an explicit transaction keeps its one query.
    @Test func whatStaysOneQuery() {
        func oneByOne(_ script: String) -> Bool { ExactLockRecorder.canRunOneByOne(SQLScript.statements(script)) }
        #expect(oneByOne("CREATE TABLE t (a int); INSERT INTO t VALUES (1); SELECT pg_sleep(0)"))
        #expect(!oneByOne("BEGIN; LOCK TABLE t; COMMIT"))
        #expect(!oneByOne("CREATE TABLE t (a int); CREATE INDEX CONCURRENTLY i ON t (a)"))
        #expect(!oneByOne("CALL archive_old_rows()"))
        #expect(!oneByOne("DO $$ BEGIN PERFORM 1; COMMIT; END $$"))
        #expect(oneByOne("DO $$ BEGIN PERFORM 1; END $$"))
        #expect(!oneByOne("VACUUM ANALYZE t"))
    }
}
