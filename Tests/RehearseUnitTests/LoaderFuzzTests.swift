import Foundation
import TestBasics
import Testing
@testable import RehearseEngine
@testable import RehearseScenario


/// Property: whatever bytes a scenario file holds, loading it never crashes or hangs,
/// and every error it reports points inside the file. The default run mutates the
/// example scenarios, the invalid corpus and the hostile files (alias bombs, absurd
/// numbers) a few thousand times; scripts/fuzz-loader.sh runs it for a budget.
@Suite("Scenario loader fuzzing")
struct LoaderFuzzTests {
    static let seeds: [String] = {
        let root = Repository.root
        var texts: [String] = []
        for folder in ["scenarios", "Tests/RehearseUnitTests/Fixtures/invalid", "Tests/RehearseUnitTests/Fixtures/hostile"] {
            let dir = root.appendingPathComponent(folder)
            for name in ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted() where name.hasSuffix(".yaml") {
                if let text = try? String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8) { texts.append(text) }
            }
        }
        return texts
    }()

    static var iterations: Int {
        Int(ProcessInfo.processInfo.environment["REHEARSE_FUZZ_ITERATIONS"] ?? "") ?? 3000
    }

    static func mutate(_ text: String, _ random: inout FastRandom) -> String {
        var bytes = Array(text.utf8)
        let alphabet = Array(":-[]{}&*!|>'\"#%@`,?\n\t 0123456789abcxyz_.".utf8) + [0xC3, 0xFF, 0x00]
        for _ in 0...(random.next() % 4) {
            guard !bytes.isEmpty else { break }
            let at = Int(random.next() % UInt64(bytes.count))
            switch random.next() % 6 {
            case 0: bytes.remove(at: at)
            case 1: bytes.insert(alphabet[Int(random.next() % UInt64(alphabet.count))], at: at)
            case 2: bytes[at] = alphabet[Int(random.next() % UInt64(alphabet.count))]
            case 3: bytes = Array(bytes.prefix(at))
            case 4:
                let end = min(bytes.count, at + Int(random.next() % 80))
                bytes.insert(contentsOf: bytes[at..<end], at: at)
            default:
                let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
                var shuffled = Array(lines)
                if shuffled.count > 2 {
                    shuffled.swapAt(Int(random.next() % UInt64(shuffled.count)), Int(random.next() % UInt64(shuffled.count)))
                }
                bytes = Array(shuffled.joined(separator: [UInt8(ascii: "\n")]))
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func mutatedScenariosNeverCrashAndErrorsPointInsideTheFile() throws {
        var random = FastRandom(seed: UInt64(ProcessInfo.processInfo.environment["REHEARSE_FUZZ_SEED"] ?? "") ?? 2026)
        let file = URL(fileURLWithPath: "/nonexistent-dir/fuzz.yaml")
        var rejected = 0
        for i in 0..<Self.iterations {
            let text = Self.mutate(Self.seeds[i % Self.seeds.count], &random)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count
            do {
                _ = try ScenarioLoader.load(yaml: text, file: file)
            } catch {
                rejected += 1
                for e in error.errors {
                    #expect(e.line >= 1 && e.line <= lines + 1 && e.column >= 1, "bad position \(e) for:\n\(text)")
                    #expect(!e.message.isEmpty)
                }
            }
        }
        #expect(rejected > Self.iterations / 2)
    }
}
