import Foundation
import Testing

@testable import Rehearse

@Suite("SQL script splitting")
struct SQLScriptTests {
    static let pagila = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../shared/data/pagila").standardizedFileURL

    @Test func splitsAroundQuotesCommentsAndDollarQuotes() {
        let script = """
            SELECT 'a;b', "x;y" FROM t; -- c;d
            /* block ; /* nested ; */ still */ SELECT E'it\\'s;';
            CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;
            SELECT $$;$$
            """
        let statements = SQLScript.statements(script)
        #expect(statements.count == 4)
        #expect(statements[2].text.contains("$body$ SELECT 1; $body$"))
        #expect(statements[2].line == 3)
        #expect(statements[3].text == "SELECT $$;$$")
    }

    @Test func findsParametersOutsideStrings() {
        #expect(SQLScript.parameterNumbers(in: "SELECT $1, '$2', $3::int, a$4 FROM t WHERE x = $12") == [1, 3, 12])
    }

    @Test func rejectsMetaCommandsWithTheirLine() {
        do {
            _ = try SQLScript.parse("SELECT 1;\n\\connect other\nSELECT 2;")
            Issue.record("expected an error")
        } catch {
            #expect(error.line == 2)
            #expect(error.message.contains("meta-command"))
        }
    }

    @Test func readsPagilaCopyBlocks() throws {
        let text = try String(contentsOf: Self.pagila.appendingPathComponent("pagila-data.sql"), encoding: .utf8)
        let items = try SQLScript.parse(text)
        var copies: [String: Int] = [:]
        for item in items {
            if case .copyFromStdin(let statement, let data, _, _) = item {
                let words = SQLScript.stripComments(statement).split(whereSeparator: \.isWhitespace)
                let table = words[words.firstIndex(of: "COPY")! + 1]
                copies[String(table)] = data.split(separator: "\n").count
            }
        }
        #expect(copies["public.rental"] == 16044)
        #expect(copies.count >= 15)
    }

    @Test func copyBlockWithoutTerminatorIsAnError() {
        #expect(throws: SQLScriptError.self) { try SQLScript.parse("COPY t (a) FROM stdin;\n1\n2\n") }
    }
}
