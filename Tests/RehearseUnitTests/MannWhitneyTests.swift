import Foundation
import Testing
@testable import RehearseEngine
@testable import RehearseResults


/// Reference values from scipy: `Fixtures/mannwhitney.json`, written by
/// `Fixtures/mannwhitney.py` with `scipy.stats.mannwhitneyu(x, y, alternative='two-sided')`
/// (scipy 1.17.1, method 'auto').
@Suite("Mann-Whitney U against scipy")
struct MannWhitneyTests {
    struct Case: Codable, Sendable, CustomTestStringConvertible {
        var note: String
        var x: [Double]
        var y: [Double]
        var u: Double
        var p: Double
        var testDescription: String { "\(x.count) vs \(y.count): \(note)" }
    }

    struct Fixture: Codable { var cases: [Case] }

    static let cases: [Case] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/mannwhitney.json")
        guard let data = try? Data(contentsOf: url), let fixture = try? JSONDecoder().decode(Fixture.self, from: data) else { return [] }
        return fixture.cases
    }()

    @Test func fixturesAreThere() {
        #expect(Self.cases.count >= 20)
    }

    @Test(arguments: cases)
    func matchesScipy(_ c: Case) throws {
        let result = try #require(MannWhitney.test(c.x, c.y))
        #expect(result.u == c.u)
        #expect(abs(result.p - c.p) < 1e-9, "p \(result.p) vs scipy \(c.p)")
    }

    @Test(arguments: cases)
    func isSymmetric(_ c: Case) throws {
        let forward = try #require(MannWhitney.test(c.x, c.y))
        let backward = try #require(MannWhitney.test(c.y, c.x))
        #expect(forward.u + backward.u == Double(c.x.count * c.y.count))
        #expect(abs(forward.p - backward.p) < 1e-12)
    }

    @Test func emptySamplesAreNotTested() {
        #expect(MannWhitney.test([], [1, 2]) == nil)
        #expect(MannWhitney.test([1], []) == nil)
    }
}
