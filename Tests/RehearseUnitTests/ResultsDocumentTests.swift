import Foundation
import Testing
@testable import RehearseEngine
@testable import RehearseResults


@Suite("Results document coding")
struct ResultsDocumentTests {
    func json(_ error: ErrorInfo) throws -> [String: Any] {
        let data = try ResultsCoding.encoder().encode(error)
        return try #require(try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) as? [String: Any])
    }

    /// results-format.md gives an error as `{"sqlstate", "message"}`: a reader looking the key up
    /// must find it, null when the failure had no SQLSTATE (a client-side error).
    @Test func anErrorWithoutSQLSTATEWritesNull() throws {
        let object = try json(ErrorInfo(sqlstate: nil, message: "cannot read x.sql"))
        #expect(object.keys.contains("sqlstate"))
        #expect(object["sqlstate"] is NSNull)
        #expect(object["message"] as? String == "cannot read x.sql")
        #expect(try json(ErrorInfo(sqlstate: "55P03", message: "lock timeout"))["sqlstate"] as? String == "55P03")
    }

    @Test func errorsDecodeWithTheKeyNullOrMissing() throws {
        let decoder = ResultsCoding.decoder()
        let written = try ResultsCoding.encoder().encode(ErrorInfo(sqlstate: nil, message: "m"))
        #expect(try decoder.decode(ErrorInfo.self, from: written) == ErrorInfo(sqlstate: nil, message: "m"))
        // Documents written before the key was always there.
        let old = try decoder.decode(ErrorInfo.self, from: Data(#"{"message": "m", "migration": "V2__x.sql"}"#.utf8))
        #expect(old.sqlstate == nil)
        #expect(old.migration == "V2__x.sql")
        let present = try decoder.decode(ErrorInfo.self, from: Data(#"{"sqlstate": "2BP01", "message": "m"}"#.utf8))
        #expect(present.sqlstate == "2BP01")
    }
}
