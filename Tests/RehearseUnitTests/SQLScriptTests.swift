import Foundation
import TestBasics
import Testing
@testable import RehearseEngine
@testable import RehearseSQL
import RehearseSupport


@Suite("SQL script splitting")
struct SQLScriptTests {
    private func texts(_ script: String) -> [String] { SQLScript.statements(script).map(\.text) }

    // MARK: statements

    @Test func semicolonsInsideQuotesAndCommentsDoNotSplit() {
        let script = """
            SELECT 'a;b', 'it''s;' FROM t; -- c;d
            SELECT "x;y" FROM "we""ird;";
            /* block ; /* nested ; */ still ; */ SELECT 3;
            """
        #expect(
            texts(script) == [
                "SELECT 'a;b', 'it''s;' FROM t",
                #"SELECT "x;y" FROM "we""ird;""#,
                "SELECT 3",
            ])
    }

    @Test func escapeStringsHonourBackslashes() {
        #expect(texts(#"SELECT E'it\'s;'; SELECT e'\\'; SELECT 2"#) == [#"SELECT E'it\'s;'"#, #"SELECT e'\\'"#, "SELECT 2"])
        // In a standard string a backslash is an ordinary character: the string ends at the second quote.
        #expect(texts(#"SELECT 'a\'; SELECT 2"#) == [#"SELECT 'a\'"#, "SELECT 2"])
        // An identifier ending in e is not an E'' prefix.
        #expect(texts(#"SELECT type'a\'; SELECT 2"#) == [#"SELECT type'a\'"#, "SELECT 2"])
    }

    @Test func dollarQuotesWithAndWithoutTags() {
        let script = """
            CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;
            CREATE FUNCTION g() RETURNS int AS $body$ BEGIN RETURN $$;$$ || 'x;'; END; $body$ LANGUAGE plpgsql;
            DO $a$ BEGIN PERFORM 1; END $a$
            """
        let statements = texts(script)
        #expect(statements.count == 3)
        #expect(statements[1].hasSuffix("$body$ LANGUAGE plpgsql"))
        #expect(statements[2] == "DO $a$ BEGIN PERFORM 1; END $a$")
    }

    @Test func parametersAndIdentifierDollarsAreNotQuotes() {
        #expect(
            texts("SELECT $1; SELECT $2::int; SELECT a$b$c FROM t; SELECT 1") == [
                "SELECT $1", "SELECT $2::int", "SELECT a$b$c FROM t", "SELECT 1",
            ])
    }

    @Test func lastStatementWithoutSemicolonAndEmptyStatements() {
        #expect(texts(";;\n  SELECT 1;;; SELECT 2  \n-- trailing comment") == ["SELECT 1", "SELECT 2"])
        #expect(texts("") == [])
        #expect(texts("-- only a comment\n/* and another */") == [])
    }

    @Test func linesAndColumnsOfStatements() {
        let script = "SELECT 1;  SELECT 'é';\n\n  -- comment\n  UPDATE t\n  SET a = 1;\nSELECT 'x';  SELECT 3"
        let statements = SQLScript.statements(script)
        #expect(statements.map(\.line) == [1, 1, 4, 6, 6])
        #expect(statements.map(\.column) == [1, 12, 3, 1, 14])
        #expect(statements[2].text == "UPDATE t\n  SET a = 1")
    }

    @Test func columnsCountCharactersNotBytes() {
        let statements = SQLScript.statements("SELECT 'ééé'; SELECT 2")
        #expect(statements[1].column == 15)
    }

    @Test func parenthesesKeepRuleActionsTogether() {
        let script = "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2)); SELECT 1"
        #expect(texts(script).count == 2)
    }

    @Test func sqlStandardFunctionBodiesStayWhole() {
        let script = """
            CREATE OR REPLACE FUNCTION f(x int) RETURNS int LANGUAGE sql
            BEGIN ATOMIC
              SELECT CASE WHEN x > 0 THEN 1 ELSE 0 END;
              SELECT 2;
            END;
            CREATE PROCEDURE p() BEGIN ATOMIC INSERT INTO t VALUES (1); END;
            BEGIN; SELECT 1; END;
            """
        let statements = texts(script)
        #expect(statements.count == 5)
        #expect(statements[0].hasSuffix("SELECT 2;\nEND"))
        #expect(statements[2...] == ["BEGIN", "SELECT 1", "END"])
    }

    @Test func concurrentIndexMigrationSplitsIntoSingleStatements() {
        let script = """
            -- migrate:up transaction:false
            CREATE INDEX CONCURRENTLY leads_email ON leads (email);
            CREATE INDEX CONCURRENTLY leads_owner ON leads (owner_id);
            """
        #expect(
            texts(script) == [
                "CREATE INDEX CONCURRENTLY leads_email ON leads (email)",
                "CREATE INDEX CONCURRENTLY leads_owner ON leads (owner_id)",
            ])
    }

    @Test(arguments: 0..<20)
    func generatedScriptsSplitBackIntoTheirStatements(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let pieces = [
            "SELECT 'a;b'", "SELECT 'it''s'", #"SELECT E'\\;'"#, #"SELECT E'\';'"#, "SELECT \"x;\"\"y\"",
            "SELECT $$;$$", "SELECT $t$ $$; $t$", "SELECT $1 + $2", "SELECT a$b FROM t", "SELECT 1 /* ; /* ; */ ; */ + 2",
            "SELECT 1 -- ;\n + 2", "INSERT INTO t VALUES (1, ';')", "SELECT 'é;日本'",
            "CREATE RULE r AS ON INSERT TO t DO (SELECT 1; SELECT 2)",
        ]
        let separators = [";", ";\n", " ; ", ";\n-- note; here\n", ";/* c; */", ";\n\n", ";;"]
        var expected: [String] = []
        var script = ""
        for _ in 0..<Int(random.next() % 12 + 1) {
            let piece = pieces[Int(random.next() % UInt64(pieces.count))]
            expected.append(piece)
            script += piece + separators[Int(random.next() % UInt64(separators.count))]
        }
        if random.next() % 2 == 0 { script.removeLast(script.hasSuffix(";") ? 1 : 0) }
        #expect(texts(script) == expected, "\(script)")
        #expect((try? SQLScript.parse(script))?.count == 1)
    }

    // MARK: parameters

    @Test func parameterNumbersOutsideQuotesAndComments() {
        #expect(SQLScript.parameterNumbers(in: "SELECT $1, '$2', $3::int, a$4 FROM t WHERE x = $12") == [1, 3, 12])
        #expect(SQLScript.parameterNumbers(in: #"SELECT "$5", E'\'$6', $$ $7 $$, $q$ $8 $q$ -- $9"#) == [])
        #expect(SQLScript.parameterNumbers(in: "SELECT /* $1 /* $2 */ $3 */ $4") == [4])
        #expect(SQLScript.parameterNumbers(in: "SELECT 1") == [])
        #expect(SQLScript.parameterNumbers(in: "UPDATE t SET a = $2 WHERE id = $2") == [2])
    }

    // MARK: parse

    @Test func ordinaryStatementsStayOneRunFromLineOne() throws {
        let script = "-- header\nSET x = 1;\nSELECT 1;\n"
        #expect(try SQLScript.parse(script) == [.statements(text: "-- header\nSET x = 1;\nSELECT 1;", firstLine: 1)])
        #expect(try SQLScript.parse("  \n-- nothing\n") == [])
        #expect(try SQLScript.parse("SELECT 1") == [.statements(text: "SELECT 1", firstLine: 1)])
    }

    @Test func copyBlocksSplitRuns() throws {
        let script = """
            CREATE TABLE t (a int, b text);
            COPY public.t (a, b) FROM stdin;
            1\tx;y
            2\t\\N
            \\.
            SELECT 1;
            SELECT 2;
            COPY t FROM STDIN WITH (FORMAT csv); -- a comment
            3,"a
            \\."
            \\.
            """
        let items = try SQLScript.parse(script)
        #expect(
            items == [
                .statements(text: "CREATE TABLE t (a int, b text);", firstLine: 1),
                .copyFromStdin(statement: "COPY public.t (a, b) FROM stdin", data: "1\tx;y\n2\t\\N\n", line: 2, dataLine: 3),
                .statements(text: "SELECT 1;\nSELECT 2;", firstLine: 6),
                .copyFromStdin(
                    statement: "COPY t FROM STDIN WITH (FORMAT csv)", data: "3,\"a\n\\.\"\n", line: 8, dataLine: 9),
            ])
    }

    @Test func copyDataWithCRLFAndEmptyBlock() throws {
        let script = "COPY t FROM stdin;\r\n1\r\n\\.\r\nCOPY u FROM stdin;\n\\.\nSELECT 1;"
        let items = try SQLScript.parse(script)
        #expect(
            items == [
                .copyFromStdin(statement: "COPY t FROM stdin", data: "1\r\n", line: 1, dataLine: 2),
                .copyFromStdin(statement: "COPY u FROM stdin", data: "", line: 4, dataLine: 5),
                .statements(text: "SELECT 1;", firstLine: 6),
            ])
    }

    @Test func copyThatIsNotFromStdinIsAnOrdinaryStatement() throws {
        let script = """
            COPY t FROM '/tmp/x.csv';
            COPY (SELECT * FROM stdin_log) TO STDOUT;
            COPY t (from_x, stdin) FROM PROGRAM 'cat';
            SELECT 'COPY t FROM stdin;';
            """
        let items = try SQLScript.parse(script)
        #expect(items.count == 1)
    }

    @Test func metaCommandsAreErrorsNamingTheLine() {
        #expect(
            throws: SQLScriptError(
                line: 2, column: 1,
                message: "psql meta-command `\\connect` is not supported: a script holds SQL and COPY … FROM stdin data blocks only")
        ) {
            try SQLScript.parse("SELECT 1;\n\\connect other\nSELECT 2;")
        }
        #expect { try SQLScript.parse("SELECT 1;\n  \\set ON_ERROR_STOP on\n") } throws: { error in
            let e = error as? SQLScriptError
            return e?.line == 2 && e?.column == 3 && e?.message.contains("`\\set`") == true
        }
        #expect { try SQLScript.parse("SELECT 1\n\\gset\n") } throws: { error in
            (error as? SQLScriptError).map { $0.line == 2 && $0.message.contains("inside a statement") } ?? false
        }
        // Backslashes inside quotes are data.
        #expect(throws: Never.self) { try SQLScript.parse(#"SELECT '\connect', E'\\', $$\set$$;"#) }
    }

    @Test func unterminatedQuotesAndCommentsAreErrorsAtTheirStart() {
        for (script, what, line, column) in [
            ("SELECT 1;\nSELECT 'abc;\n", "quoted string", 2, 8),
            ("SELECT \"abc;", "quoted identifier", 1, 8),
            ("SELECT 1;\n\nDO $x$ BEGIN END $y$;", "dollar-quoted string", 3, 4),
            ("SELECT 1; /* a /* b */", "block comment", 1, 11),
            ("SELECT E'\\'", "quoted string", 1, 8),
        ] {
            #expect(throws: SQLScriptError(line: line, column: column, message: "\(what) is not closed before the end of the script")) {
                try SQLScript.parse(script)
            }
        }
    }

    @Test func copyErrors() {
        #expect { try SQLScript.parse("SELECT 1;\nCOPY t (a) FROM stdin;\n1\n2\n") } throws: { error in
            (error as? SQLScriptError).map { $0.line == 2 && $0.message.contains("no closing line") } ?? false
        }
        #expect { try SQLScript.parse("COPY t (a) FROM stdin") } throws: { error in
            (error as? SQLScriptError).map { $0.message.contains("needs a semicolon") } ?? false
        }
        #expect { try SQLScript.parse("COPY t (a) FROM stdin; SELECT 1;\n1\n\\.\n") } throws: { error in
            (error as? SQLScriptError).map { $0.line == 1 && $0.column == 24 } ?? false
        }
        // A line that merely starts with \. is data.
        #expect(throws: Never.self) { try SQLScript.parse("COPY t FROM stdin;\n\\.x\n\\.\n") }
    }

    // MARK: pagila

    @Test(.enabled(if: Repository.hasPagila, "needs the pagila dump (REHEARSE_PAGILA_DIR)")) func pagilaDataCopyBlocks() throws {
        let text = try String(contentsOf: Repository.pagila.appendingPathComponent("pagila-data.sql"), encoding: .utf8)
        let clock = ContinuousClock()
        var items: [SQLScript.Item] = []
        let elapsed = try clock.measure { items = try SQLScript.parse(text) }
        var rows: [String: Int] = [:]
        var lines: [String: Int] = [:]
        for item in items {
            guard case .copyFromStdin(let statement, let data, let line, let dataLine) = item else { continue }
            let table = String(statement.split(separator: " ")[1])
            rows[table] = data.utf8.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            lines[table] = line
            #expect(dataLine == line + 1)
        }
        #expect(rows.count == 21)
        #expect(rows["public.rental"] == 16044)
        #expect(rows["public.actor"] == 200)
        #expect(lines["public.actor"] == 23)
        // Debug builds are slow; release parses the 3 MB in milliseconds.
        #expect(elapsed < .seconds(10))
    }

    @Test(.enabled(if: Repository.hasPagila, "needs the pagila dump (REHEARSE_PAGILA_DIR)")) func pagilaSchemaSplits() throws {
        let text = try String(contentsOf: Repository.pagila.appendingPathComponent("pagila-schema.sql"), encoding: .utf8)
        let items = try SQLScript.parse(text)
        #expect(items.count == 1)
        let statements = SQLScript.statements(text)
        #expect(statements.count > 100)
        #expect(statements.allSatisfy { !$0.text.isEmpty && !$0.text.hasSuffix(";") })
        // Function bodies in dollar quotes stay whole: every statement's dollar quotes are balanced.
        let functions = statements.filter { $0.text.hasPrefix("CREATE FUNCTION") }
        #expect(!functions.isEmpty)
        for function in functions {
            #expect(function.text.contains("$$") || function.text.contains("$_$"), "\(function.line)")
        }
        // Lines point at the statement's first token.
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for statement in statements {
            let line = lines[statement.line - 1]
            #expect(line.dropFirst(statement.column - 1).hasPrefix(statement.text.prefix { $0 != "\n" }))
        }
    }
}
