import Foundation
import RehearseSupport
import TestBasics
import Testing

@testable import RehearseSQL

@Suite("pgbench scripts")
struct PgBenchScriptTests {
    static let fixtures = Repository.root.appendingPathComponent("Tests/RehearseUnitTests/Fixtures/pgbench")

    private func parse(_ text: String, file: String = "t.sql") throws -> (PgBenchScript, PgBenchVariables) {
        var variables = PgBenchVariables()
        let script = try PgBenchScript.parse(text, file: file, variables: &variables)
        return (script, variables)
    }

    /// Runs a script that sends no SQL and returns its variables by name.
    private func run(_ text: String, scale: Int64 = 1, clientID: Int = 0, seed: Int64 = 0) throws -> [String: PgBenchValue] {
        let (script, names) = try parse(text)
        var client = PgBenchClient(variables: names, clientID: clientID, scale: scale, seed: seed, randomSeed: 1)
        client.start()
        while true {
            switch try client.step(script) {
            case .end:
                var result: [String: PgBenchValue] = [:]
                for (i, name) in names.names.enumerated() { result[name] = client.variables[i] }
                return result
            case .sleep: continue
            case .sql(let i): Issue.record("unexpected SQL \(script.sql[i].text)")
            }
        }
    }

    private func value(_ expression: String) throws -> PgBenchValue? {
        try run("\\set a \(expression)\n")["a"] ?? nil
    }

    private func failure(_ text: String) -> PgBenchScriptError? {
        do {
            _ = try run(text)
            return nil
        } catch let error as PgBenchScriptError {
            return error
        } catch {
            return nil
        }
    }

    // MARK: pgbench's own scripts

    @Test func tpcbLikeParsesIntoFourSetsAndSevenPreparedCommands() throws {
        let text = try String(contentsOf: Self.fixtures.appendingPathComponent("tpcb-like.sql"), encoding: .utf8)
        let (script, names) = try parse(text, file: "tpcb-like.sql")
        #expect(script.commands.count == 11)
        #expect(script.sql.map(\.text).first == "BEGIN")
        #expect(script.sql[1].text == "UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2")
        #expect(script.sql[1].parameterNames == ["delta", "aid"])
        #expect(script.sql[5].parameterNames == ["tid", "bid", "aid", "delta"])
        #expect(script.sql[6].text == "END")
        #expect(script.sql[1].line == 7 && script.sql[1].column == 1)
        #expect(names.existingSlot("aid") != nil)
    }

    @Test func builtInScriptsDrawTheirKeysWithinTheScale() throws {
        for name in ["tpcb-like", "simple-update", "select-only"] {
            let text = try String(contentsOf: Self.fixtures.appendingPathComponent("\(name).sql"), encoding: .utf8)
            let (script, names) = try parse(text, file: name)
            var client = PgBenchClient(variables: names, clientID: 0, scale: 3, seed: 0, randomSeed: 7)
            for _ in 0..<200 {
                client.start()
                var sent = 0
                while case .sql = try client.step(script) { sent += 1 }
                #expect(sent == script.sql.count)
                guard case .int(let aid) = client.variables[names.existingSlot("aid")!] else {
                    Issue.record("aid is not an integer")
                    return
                }
                #expect((1...300_000).contains(aid))
            }
        }
    }

    // MARK: expressions, checked against pgbench 15.18's debug() output

    @Test func arithmeticAsPgbenchComputesIt() throws {
        let expected: [(String, PgBenchValue)] = [
            ("7 / 2", .int(3)), ("-7 / 2", .int(-3)), ("-7 % 3", .int(-1)), ("7.0 / 2", .double(3.5)),
            ("1 + 2 * 3 - 4", .int(3)), ("(1 + 2) * 3", .int(9)), ("int(5.5)", .int(6)), ("int(6.5)", .int(6)),
            ("int(-7.9)", .int(-8)), ("double(3)", .double(3)), ("abs(-4)", .int(4)), ("abs(-4.5)", .double(4.5)),
            ("least(3, 1.5, 2)", .double(1.5)), ("greatest(3, 7, 2)", .int(7)), ("pow(2, 10)", .double(1024)),
            ("mod(-7, 3)", .int(-1)), ("5 & 3 | 8", .int(9)), ("1 << 4 >> 2", .int(4)), ("~5", .int(-6)),
            ("~1 + 1", .int(-3)), ("5 # 3", .int(6)), ("-9223372036854775808", .int(.min)), ("1.5e3", .double(1500)),
            (".5", .double(0.5)), ("CASE WHEN 1 > 2 THEN 10 WHEN 2 > 1 THEN 20 ELSE 30 END", .int(20)),
            ("CASE WHEN false THEN 1 END", .null), (":scale * 10 + :client_id", .int(10)),
            ("2 * 1e300 * 1e300", .double(.infinity)),
        ]
        for (expression, result) in expected {
            #expect(try value(expression) == result, "\(expression)")
        }
        #expect(try value("sqrt(2)").map { PgBenchValue.format(try $0.asDouble()) } == "1.4142135623731")
        #expect(try value("pi()").map { PgBenchValue.format(try $0.asDouble()) } == "3.14159265358979")
        #expect(try value("ln(10)").map { PgBenchValue.format(try $0.asDouble()) } == "2.30258509299405")
        #expect(try value("1.0 / 3").map { PgBenchValue.format(try $0.asDouble()) } == "0.333333333333333")
    }

    @Test func logicWithSQLsThreeValues() throws {
        let expected: [(String, PgBenchValue)] = [
            ("1 < 2 AND 3 >= 3", .boolean(true)), ("NOT 1 = 2", .boolean(true)), ("NULL IS NULL", .boolean(true)),
            ("1 + NULL", .null), ("NULL AND true", .null), ("false AND NULL", .boolean(false)),
            ("true OR NULL", .boolean(true)), ("2 = 2.0", .boolean(true)), ("1 <> 2", .boolean(true)),
            ("1 != 1", .boolean(false)), ("true IS NOT FALSE", .boolean(true)), ("3 ISNULL", .boolean(false)),
            ("3 NOTNULL", .boolean(true)),
        ]
        for (expression, result) in expected {
            #expect(try value(expression) == result, "\(expression)")
        }
    }

    @Test func hashesAndPermutationsBitForBit() throws {
        // pgbench --random-seed=0 gives :default_seed 7868822567099391496 and hash(42) -1727649587179125996.
        #expect(try run("\\set a hash(42)\n", seed: 7_868_822_567_099_391_496)["a"] == .int(-1_727_649_587_179_125_996))
        #expect(try value("hash(42, 7)") == .int(1_340_367_696_533_541_376))
        #expect(try value("hash_murmur2(-1, 0)") == .int(4_219_408_603_045_787_357))
        #expect(try value("hash_fnv1a(42, 7)") == .int(2_765_047_632_110_736_392))
        #expect(try value("hash_fnv1a(-12345, 0)") == .int(5_026_333_759_672_309_797))
        #expect(try value("permute(0, 10, 5)") == .int(6))
        #expect(try value("permute(7, 1000, 12345)") == .int(260))
        #expect(try value("permute(3, 3, 1)") == .int(0))
    }

    @Test func distributionsStayInRangeAndLeanAsDefined() throws {
        var random = SplitMix64(seed: 42)
        var uniformSum = 0.0
        var gaussianSum = 0.0
        var exponentialLow = 0
        var zipfOnes = 0
        let n = 20_000
        for _ in 0..<n {
            let u = random.pgbenchUniform(1, 100)
            let g = random.pgbenchGaussian(1, 100, 2.5)
            let e = random.pgbenchExponential(1, 100, 5)
            let z = random.pgbenchZipfian(1, 100, 1.5)
            #expect((1...100).contains(u) && (1...100).contains(g) && (1...100).contains(e) && (1...100).contains(z))
            uniformSum += Double(u)
            gaussianSum += Double(g)
            if e <= 20 { exponentialLow += 1 }
            if z == 1 { zipfOnes += 1 }
        }
        #expect(abs(uniformSum / Double(n) - 50.5) < 1)
        #expect(abs(gaussianSum / Double(n) - 50.5) < 1)
        // The first fifth holds 1 - e^-1 = 63% of an exponential draw of parameter 5.
        #expect(abs(Double(exponentialLow) / Double(n) - 0.632) < 0.02)
        // Zipf with s = 1.5 over 100 values: P(1) = 1 / H(100, 1.5) = 0.40.
        #expect(abs(Double(zipfOnes) / Double(n) - 0.40) < 0.02)
    }

    @Test func evaluationErrorsNameTheCommand() {
        #expect(
            failure("\\set a 1\n\\set b :a / 0\n") == PgBenchScriptError(file: "t.sql", line: 2, column: 1, message: "division by zero"))
        #expect(failure("\\set a 9223372036854775807 + 1\n")?.message == "bigint add out of range")
        #expect(failure("\\set a random(5, 1)\n")?.message == "empty range given to random")
        #expect(failure("\\set a random_gaussian(1, 10, 1.5)\n")?.message.hasPrefix("gaussian parameter must be at least") == true)
        #expect(failure("\\set a :nope + 1\n")?.message == "undefined variable \"nope\"")
        #expect(failure("\\set a true + 1\n")?.message == "cannot coerce boolean to int")
    }

    // MARK: control flow

    @Test func ifElifElseTakeOneBranch() throws {
        let script = """
            \\set x 2
            \\if :x = 1
            \\set r 10
            \\elif :x = 2
            \\set r 20
            \\if :x > 1
            \\set inner 1
            \\else
            \\set inner 2
            \\endif
            \\else
            \\set r 30
            \\endif
            \\set after 1
            """
        let result = try run(script)
        #expect(result["r"] == .int(20))
        #expect(result["inner"] == .int(1))
        #expect(result["after"] == .int(1))
        #expect(try run(script.replacingOccurrences(of: "\\set x 2", with: "\\set x 5"))["r"] == .int(30))
        #expect(try run(script.replacingOccurrences(of: "\\set x 2", with: "\\set x 1"))["r"] == .int(10))
    }

    @Test func sqlInsideBranchesIsSentOnlyWhenTaken() throws {
        let (script, names) = try parse("\\if :client_id = 0\nSELECT 1;\n\\else\nSELECT 2;\n\\endif\nSELECT 3;\n")
        for (client, expected) in [(0, ["SELECT 1", "SELECT 3"]), (1, ["SELECT 2", "SELECT 3"])] {
            var state = PgBenchClient(variables: names, clientID: client, scale: 1, seed: 0, randomSeed: 1)
            state.start()
            var sent: [String] = []
            while case .sql(let i) = try state.step(script) { sent.append(script.sql[i].text) }
            #expect(sent == expected)
        }
    }

    @Test func sleepUnitsAndGsetVariables() throws {
        let (script, names) = try parse("\\sleep 2 ms\n\\sleep 3\nSELECT 5 AS n, NULL AS z \\gset p_\n\\sleep :p_n us\n\\set m :p_n * 2\n")
        #expect(script.sql[0].gset == "p_")
        #expect(script.sql[0].text == "SELECT 5 AS n, NULL AS z")
        var client = PgBenchClient(variables: names, clientID: 0, scale: 1, seed: 0, randomSeed: 1)
        client.start()
        #expect(try client.step(script) == .sleep(microseconds: 2000))
        #expect(try client.step(script) == .sleep(microseconds: 3_000_000))
        #expect(try client.step(script) == .sql(0))
        try client.store(columns: ["n", "z"], rows: [["5", nil]], of: script.sql[0], in: script, names: names)
        #expect(try client.step(script) == .sleep(microseconds: 5))
        #expect(try client.step(script) == .end)
        #expect(client.variables[names.existingSlot("m")!] == .int(10))
        #expect(throws: PgBenchScriptError.self) {
            try client.store(columns: ["n"], rows: [], of: script.sql[0], in: script, names: names)
        }
    }

    @Test func multiLineSQLAndVariablesAsPgbenchSubstitutesThem() throws {
        let (script, _) = try parse("SELECT :a::int,\n  ':b' , 12:30\nFROM t WHERE x = :a;\nSELECT 1\n\\gset\n")
        #expect(script.sql.count == 2)
        #expect(script.sql[0].text == "SELECT $1::int,\n  '$2' , 12:30\nFROM t WHERE x = $3")
        #expect(script.sql[0].parameterNames == ["a", "b", "a"])
        #expect(script.sql[1].gset == "")
    }

    // MARK: invalid scripts

    @Test func unsupportedAndMalformedCommandsNameLineAndColumn() {
        func parseError(_ text: String) -> PgBenchScriptError? {
            do {
                _ = try parse(text)
                return nil
            } catch let error as PgBenchScriptError {
                return error
            } catch {
                return nil
            }
        }
        #expect(parseError("SELECT 1;\n  \\shell ls\n")?.line == 2)
        #expect(parseError("SELECT 1;\n  \\shell ls\n")?.column == 3)
        #expect(parseError("SELECT 1;\n  \\shell ls\n")?.message.contains("not supported") == true)
        #expect(parseError("\\setshell x echo 1\n")?.message.contains("not supported") == true)
        #expect(parseError("\\startpipeline\n")?.message.contains("not supported") == true)
        #expect(parseError("\\frobnicate\n")?.message == "invalid command \\frobnicate")
        #expect(parseError("\\set a 1 +* 2\n") == PgBenchScriptError(file: "t.sql", line: 1, column: 11, message: "\\set: syntax error"))
        #expect(
            parseError("\n\\set a nosuch(1)\n")
                == PgBenchScriptError(file: "t.sql", line: 2, column: 8, message: "\\set: unexpected function name \"nosuch\""))
        #expect(parseError("\\set a random(1)\n")?.message == "\\set: unexpected number of arguments (random)")
        #expect(parseError("\\set a 1 < 2 < 3\n")?.message == "\\set: syntax error")
        #expect(parseError("\\set a $\n")?.column == 8)
        #expect(parseError("\\set 1a 1\n")?.message == "\\set: invalid variable name \"1a\"")
        #expect(parseError("\\elif 1\n")?.message == "\\elif without a matching \\if")
        #expect(parseError("\\if 1\n\\else\n\\else\n\\endif\n")?.line == 3)
        #expect(
            parseError("\\if 1\nSELECT 1;\n")
                == PgBenchScriptError(file: "t.sql", line: 1, column: 1, message: "\\if without a matching \\endif"))
        #expect(parseError("\\endif\n")?.message == "\\endif without a matching \\if")
        #expect(parseError("\\gset\n")?.message == "\\gset must follow an SQL command")
        #expect(parseError("\\sleep 1 h\n")?.message == "\\sleep: unrecognized time unit, must be us, ms or s")
        #expect(parseError("\\sleep x\n")?.message == "\\sleep: invalid sleep time, must be an integer")
        #expect(parseError("SELECT 1 \\; SELECT 2;\n")?.column == 10)
        #expect(parseError("SELECT 'open;\n")?.message == "unterminated quoted string")
        #expect(parseError("-- nothing\n")?.message == "the script has no commands")
    }

    @Test func continuationLinesJoinAMetaCommand() throws {
        #expect(try run("\\set a 1 + \\\n  2\n")["a"] == .int(3))
    }
}
