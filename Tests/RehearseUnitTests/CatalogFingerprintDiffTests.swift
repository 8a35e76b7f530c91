import Testing

@testable import RehearseEngine
@testable import RehearseResults

/// How two catalog fingerprints differ, and how a difference reads (no database: the
/// fingerprints of a real server are in CatalogFingerprintTests and RollbackTests).
@Suite("Catalog fingerprint differences")
struct CatalogFingerprintDiffTests {
    func object(_ kind: String, _ name: String, _ definition: String) -> (String, CatalogFingerprint.Object) {
        (
            "\(kind) \(name)",
            CatalogFingerprint.Object(kind: kind, name: name, attributes: [.init(name: "definition", value: definition)])
        )
    }

    @Test func fingerprintDiffReadsObjectByObject() {
        let before = CatalogFingerprint(
            objects: Dictionary(uniqueKeysWithValues: [
                object("table", "public.bins", "p"),
                object("column", "public.bins.zone", "text not null"),
                object("constraint", "public.bins.bins_pkey", "PRIMARY KEY (id)"),
            ]))
        let after = CatalogFingerprint(
            objects: Dictionary(uniqueKeysWithValues: [
                object("table", "public.bins", "p"),
                object("column", "public.bins.zone", "character varying(10) not null"),
                object("index", "public.bins_facility_idx", "CREATE INDEX bins_facility_idx ON public.bins USING btree (facility)"),
            ]))
        let diff = after.differences(from: before, snapshotName: "before-deploy")
        #expect(diff.count == 3)
        #expect(
            diff.contains {
                $0.object == "index public.bins_facility_idx" && $0.change == "added"
                    && $0.detail == "present after rollback, absent at snapshot before-deploy"
            })
        #expect(diff.contains { $0.kind == "constraint" && $0.change == "removed" })
        #expect(
            diff.contains {
                $0.kind == "column" && $0.change == "changed"
                    && $0.detail == "definition was text not null, now character varying(10) not null"
            })
        #expect(before.differences(from: before, snapshotName: "x").isEmpty)
    }

    /// A long definition shows the lines that changed; a short one is shown whole,
    /// its layout read as single spaces.
    @Test func aChangedDefinitionShowsWhatChanged() {
        let body = (1...30).map { "    PERFORM step\($0);" }
        var changed = body
        changed[11] = "    PERFORM step12b;"
        changed.insert("    RAISE NOTICE 'more';", at: 20)
        let function = { (lines: [String]) in
            (["CREATE FUNCTION public.f() RETURNS void", "BEGIN"] + lines + ["END"]).joined(separator: "\n")
        }
        #expect(
            CatalogFingerprint.describe("definition", before: function(body), after: function(changed))
                == "definition differs from line 14: was PERFORM step12; PERFORM step13; PERFORM step14; PERFORM step15; "
                + "PERFORM step16; PERFORM step17; PERFORM step18; PERFORM step19; PERFORM step20;, now PERFORM step12b; "
                + "PERFORM step13; PERFORM step14; PERFORM step15; PERFORM step16; PERFORM step17; PERFORM step18; "
                + "PERFORM step19; PERFORM step20; RAISE NOTICE 'more';")
        #expect(
            CatalogFingerprint.describe("definition", before: " SELECT t.id\n   FROM t;", after: nil)
                == "definition was SELECT t.id FROM t;, now none")
    }

    @Test func theColumnsLeftOutOfTheLongestKeptOrderAreTheMovedOnes() {
        #expect(CatalogFingerprint.longestIncreasingRun([1, 3, 2]) == [0, 2])
        #expect(CatalogFingerprint.longestIncreasingRun([1, 2, 3]) == [0, 1, 2])
        #expect(CatalogFingerprint.longestIncreasingRun([4, 1, 2, 3]) == [1, 2, 3])
        #expect(CatalogFingerprint.longestIncreasingRun([]) == [])
    }
}
