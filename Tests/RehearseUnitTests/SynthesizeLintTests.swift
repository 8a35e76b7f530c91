import Foundation
import Testing
@testable import RehearseEngine
@testable import RehearseScenario


/// What lint says of `data` and `synthesize` (no database).
@Suite("Synthesize in the scenario format")
struct SynthesizeLintTests {
    static func lint(_ yaml: String, profile: Profile? = ProfileFormatTests.sample()) throws -> (Scenario?, [ScenarioError]) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rh-synlint-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        if let profile { try ProfileFile.encode(profile).write(to: dir.appendingPathComponent("p.json")) }
        let file = dir.appendingPathComponent("s.yaml")
        do {
            return (try ScenarioLoader.load(yaml: yaml, file: file), [])
        } catch {
            return (nil, error.errors)
        }
    }

    @Test func readsTheStepAndItsProfile() throws {
        let (scenario, errors) = try Self.lint(
            "name: x\ndata: {profile: p.json}\nsteps:\n  - {name: s, sql: 'SELECT 1'}\n  - {name: fill, synthesize: {scale: 0.05, seed: 9, tables: [leads]}}\n")
        #expect(errors.isEmpty, "\(errors)")
        guard case .synthesize(let spec)? = scenario?.steps.last?.kind else {
            Issue.record("not a synthesize step")
            return
        }
        #expect(spec.scale == 0.05 && spec.seed == 9 && spec.tables == ["leads"])
        #expect(spec.profile?.tables.first?.name == "leads")
        let (defaults, none) = try Self.lint("name: x\ndata: {profile: p.json}\nsteps: [{synthesize: }]\n")
        #expect(none.isEmpty, "\(none)")
        if case .synthesize(let spec)? = defaults?.steps.first?.kind { #expect(spec.scale == 1 && spec.seed == 0 && spec.tables == nil) }
    }

    @Test func problemsAreNamedWithTheirPosition() throws {
        let cases: [(String, String)] = [
            ("name: x\nsteps: [{synthesize: {scale: 0.5}}]\n", "needs `data: {profile: FILE}`"),
            ("name: x\ndata: {profile: p.json}\nsteps: [{synthesize: {scale: 0}}]\n", "not a scale"),
            ("name: x\ndata: {profile: p.json}\nsteps: [{synthesize: {scale: 2000}}]\n", "not a scale"),
            ("name: x\ndata: {profile: p.json}\nsteps: [{synthesize: {tables: [nope]}}]\n", "no table 'nope'"),
            ("name: x\ndata: {profile: p.json}\nsteps: [{synthesize: {rows: 5}}]\n", "rows"),
            ("name: x\ndata: {profile: missing.json}\nsteps: [{synthesize: }]\n", "does not exist"),
        ]
        for (yaml, message) in cases {
            let (_, errors) = try Self.lint(yaml)
            #expect(errors.contains { $0.description.contains(message) }, "\(yaml): \(errors)")
            #expect(errors.allSatisfy { $0.line >= 1 && $0.column >= 1 })
        }
        var newer = ProfileFormatTests.sample()
        newer.profileVersion = 2
        let (_, errors) = try Self.lint("name: x\ndata: {profile: p.json}\nsteps: [{synthesize: }]\n", profile: newer)
        #expect(errors.contains { $0.key == "data.profile" && $0.description.contains("profile_version 2") }, "\(errors)")
    }
}
