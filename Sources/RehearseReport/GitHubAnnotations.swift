import Foundation
public import RehearseResults
import RehearseSupport

/// `rehearse compare --format github`: failures and regressions as GitHub workflow commands
/// (`::error file=…,line=…,title=…::message`), which a workflow step's output turns into
/// annotations on the files that caused them: a failing migration's file and line, a scenario's
/// failing check, target or expectation, a step that regressed.
///
/// A document whose expectation was met is not annotated: a scenario that expects `blocked`
/// fails its checks on purpose. The CLI finds where things were written (`Sources`); this is the
/// pure formatting.
public enum GitHubAnnotations {
    public enum Level: String, Sendable { case error, warning, notice }

    public struct Annotation: Sendable, Equatable {
        public var level: Level
        /// Relative to the repository's root, as GitHub resolves it.
        public var file: String?
        public var line: Int?
        public var column: Int?
        public var title: String
        public var message: String

        public init(level: Level, file: String? = nil, line: Int? = nil, column: Int? = nil, title: String, message: String) {
            self.level = level
            self.file = file
            self.line = line
            self.column = column
            self.title = title
            self.message = message
        }
    }

    /// Where one scenario's parts were written: its file (relative to the repository's root)
    /// and the lines of its steps, checks, targets (`"<group> <target>"`, e.g. `deploy.impact max < 200ms`),
    /// `expect` and `rollback`; and for each migrate step the folder that holds its migrations
    /// folder, since a document names a migration as `<migrations folder>/<file>`.
    public struct Sources: Sendable {
        public var scenarioFile: String
        public var steps: [String: Int] = [:]
        public var checks: [String: Int] = [:]
        public var targets: [String: Int] = [:]
        public var expect: Int?
        public var rollback: Int?
        public var migrationParents: [String: String] = [:]

        public init(scenarioFile: String) { self.scenarioFile = scenarioFile }
    }

    /// The commands for the current documents' unmet expectations, then the comparison's regressions.
    public static func render(documents: [ResultsDocument], comparison: ComparisonReport?, sources: [String: Sources]) -> String {
        var all = documents.flatMap { annotations(for: $0, sources: sources[$0.scenario.name]) }
        if let comparison { all += annotations(for: comparison, sources: sources) }
        var seen = Set<String>()
        return all.map(command).filter { seen.insert($0).inserted }.joined()
    }

    /// One workflow command line, escaped as GitHub's toolkit escapes it.
    public static func command(_ a: Annotation) -> String {
        var properties: [(String, String)] = []
        if let file = a.file { properties.append(("file", file)) }
        if let line = a.line { properties.append(("line", String(line))) }
        if let column = a.column { properties.append(("col", String(column))) }
        properties.append(("title", a.title))
        let list = properties.map { "\($0.0)=\(escapeProperty($0.1))" }.joined(separator: ",")
        return "::\(a.level.rawValue) \(list)::\(escapeData(a.message))\n"
    }

    /// A message: `%`, carriage return and line feed are the characters a command line cannot carry.
    static func escapeData(_ s: String) -> String {
        s.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D")
            .replacingOccurrences(of: "\n", with: "%0A")
    }

    /// A property value: also `:` and `,`, which end a value.
    static func escapeProperty(_ s: String) -> String {
        escapeData(s).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }

    /// Text from documents (server messages, names), masked and with control characters shown.
    static func safe(_ s: String) -> String { OutgoingText.terminal(s) }

    static func annotations(for doc: ResultsDocument, sources: Sources?) -> [Annotation] {
        guard !doc.expectation.met else { return [] }
        let name = safe(doc.scenario.name)
        let file = safe(sources?.scenarioFile ?? doc.scenario.file)
        var out = [
            Annotation(
                level: .error, file: file, line: sources?.expect, title: "rehearse: \(name): expectation not met",
                message: safe(doc.expectation.mismatches.joined(separator: "\n")))
        ]
        for repetition in doc.repetitions {
            for step in repetition.steps where step.status == .failed {
                out.append(stepFailure(step, scenario: name, file: file, sources: sources))
            }
            for check in repetition.checks where !check.passed {
                var message = "expected \(BlockingReasons.text(check.expected)), got \(BlockingReasons.text(check.actual)) (\(check.phase))"
                if let e = check.error { message += "\n" + [e.sqlstate, e.message].compactMap { $0 }.joined(separator: " ") }
                out.append(
                    Annotation(
                        level: .error, file: file, line: sources?.checks[check.name], title: "rehearse: check \(safe(check.name)) failed",
                        message: safe(message)))
            }
            for target in repetition.targets where !target.passed {
                out.append(
                    Annotation(
                        level: .error, file: file, line: sources?.targets["\(target.step) \(target.target)"],
                        title: "rehearse: target \(safe(target.step)): \(safe(target.target)) missed",
                        message: "actual \(target.actual.map(BlockingReasons.formatNumber) ?? "no measurement") in \(name)"))
            }
            if repetition.rollback.status == .failed {
                let rollback = repetition.rollback
                let lines =
                    (rollback.error.map { [[$0.migration, $0.sqlstate, $0.message].compactMap { $0 }.joined(separator: " ")] } ?? [])
                    + rollback.differences.prefix(10).map { "\($0.object): \($0.change) \($0.detail)" }
                out.append(
                    Annotation(
                        level: .error, file: file, line: sources?.rollback, title: "rehearse: \(name): rollback failed",
                        message: safe(lines.joined(separator: "\n"))))
            }
        }
        return out
    }

    /// A failed step: on the migration's file and line when a migration failed and its folder is
    /// known, else on the step in the scenario.
    static func stepFailure(_ step: StepResult, scenario: String, file: String, sources: Sources?) -> Annotation {
        let error = step.error
        let message = safe(
            [error?.sqlstate, error?.message ?? "failed", error?.hint.map { "hint: \($0)" }].compactMap { $0 }.joined(separator: " "))
        if let migration = error?.migration, let parent = sources?.migrationParents[step.name] {
            let (line, column) = position(in: error?.message ?? "", of: migration)
            return Annotation(
                level: .error, file: safe(parent.isEmpty ? migration : parent + "/" + migration), line: line, column: column,
                title: "rehearse: migration failed in \(scenario), step \(safe(step.name))", message: message)
        }
        return Annotation(
            level: .error, file: file, line: sources?.steps[step.name], title: "rehearse: step \(safe(step.name)) failed in \(scenario)",
            message: message)
    }

    /// The `(at FILE:LINE:COLUMN)` a failing migration's message ends with.
    static func position(in message: String, of file: String) -> (Int?, Int?) {
        guard let range = message.range(of: "(at \(file):", options: .backwards) else { return (nil, nil) }
        let numbers = message[range.upperBound...].prefix { $0 != ")" }.split(separator: ":").map { Int($0) }
        return (numbers.first ?? nil, numbers.count > 1 ? numbers[1] : nil)
    }

    /// Regressions only: environment warnings (a calibration that differs) are in the summary, and
    /// would otherwise annotate every pull request.
    static func annotations(for comparison: ComparisonReport, sources: [String: Sources]) -> [Annotation] {
        var out: [Annotation] = []
        for s in comparison.scenarios {
            // A scenario held on several majors is labelled `name (PostgreSQL 16)`; names have no spaces.
            let source = sources[s.scenario] ?? sources[String(s.scenario.prefix { $0 != " " })]
            for finding in s.findings where finding.verdict == .regressed {
                let line =
                    switch finding.step {
                    case "verdict": source?.expect
                    case "checks": finding.metric.flatMap { source?.checks[$0] }
                    default: source?.steps[finding.step]
                    }
                out.append(
                    Annotation(
                        level: .error, file: source.map { safe($0.scenarioFile) }, line: line,
                        title: "rehearse: regression in \(safe(s.scenario)), \(safe(finding.step))", message: safe(finding.reason)))
            }
        }
        return out
    }
}
