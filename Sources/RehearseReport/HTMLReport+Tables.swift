import Foundation
import RehearseResults
import RehearseSupport
import RehearseHistogram

extension HTMLReport {
    /// One row per step: percentiles over all repetitions (the merged histogram), the median
    /// duration, the worst status, lock waits and memory peaks over the repetitions.
    static func stepsTable(_ doc: ResultsDocument) -> String {
        guard let last = doc.repetitions.last else { return "" }
        let reps = doc.repetitions.count
        var html = "<h3>Steps</h3>"
        if reps > 1 {
            html += "<p class=\"muted\">Percentiles over all \(reps) repetitions; duration is the median; peaks are the highest.</p>"
        }
        html += "<table>"
        html += HTML.row(
            [
                "step", HTML.Cell("kind", "l"), HTML.Cell("status", "l"), "batches", "p50 ms", "p95 ms", "p99 ms", "duration ms",
                HTML.Cell("errors", "l"), "lock wait max ms", "server mem", "client mem", "impact p99 / max ms",
            ], header: true)
        for step in last.steps {
            let runs = doc.repetitions.compactMap { $0.steps.first { $0.name == step.name } }
            let summary = doc.summary.steps[step.name]
            let latency = Comparator.mergedLatency(summary, runs)
            let status = Comparator.status(runs)
            var errors: [String: Int] = [:]
            for r in runs { errors.merge(r.errors, uniquingKeysWith: +) }
            let errorText = errors.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: " ")
            let name =
                HTML.escape(step.name) + (step.background == true ? " <span class=\"muted\">(background)</span>" : "")
            let impact = step.impact.map { "\(n($0.latencyMs?.p99)) / \(n($0.latencyMs?.max))" } ?? ""
            html += HTML.row([
                .raw(name), HTML.Cell(step.kind, "l"), HTML.Cell(status.rawValue, "l \(HTML.statusClass(status.rawValue))"),
                HTML.Cell(reps > 1 ? "\(runs.reduce(0) { $0 + $1.batches } / max(runs.count, 1))" : "\(step.batches)"),
                HTML.Cell(n(latency?.p50)), HTML.Cell(n(latency?.p95)), HTML.Cell(n(latency?.p99)),
                HTML.Cell(n(Median.of(runs.map(\.durationMs)))), HTML.Cell(errorText, "l"),
                HTML.Cell(n(runs.compactMap(\.lockWaitMaxMs).max())),
                HTML.Cell(mb(summary?.serverMemoryPeak ?? runs.compactMap(\.serverMemoryPeak).max())),
                HTML.Cell(mb(summary?.clientMemoryPeak ?? runs.compactMap(\.clientMemoryPeak).max())), HTML.Cell(impact),
            ])
            for (i, run) in runs.enumerated() {
                guard let e = run.error else { continue }
                let text = [e.migration, e.sqlstate, e.message].compactMap { $0 }.joined(separator: " · ")
                let which = runs.count > 1 ? "repetition \(i + 1): " : ""
                html += "<tr><td></td><td colspan=\"12\" class=\"l failed\">\(HTML.escape(which + text))</td></tr>"
            }
        }
        return html + "</table>"
    }

    static func locksTable(_ rep: RepetitionResult) -> String {
        let locks = rep.steps.flatMap { s in (s.locksTaken ?? []).map { (s.name, $0) } }
        guard !locks.isEmpty else { return "" }
        var html = "<h3>Locks taken</h3><table>"
        html += HTML.row(
            ["step", HTML.Cell("relation", "l"), HTML.Cell("kind", "l"), HTML.Cell("mode", "l"), "held ms", HTML.Cell("taken by", "l")],
            header: true)
        for (step, lock) in locks.sorted(by: { $0.1.heldMs > $1.1.heldMs }).prefix(30) {
            // Sampled holds are seen every 50 ms; exact ones name their statement.
            let by = lock.statement ?? (lock.exact == true ? "" : "(sampled)")
            html += HTML.row([
                HTML.Cell(step), HTML.Cell(lock.relation, "l"), HTML.Cell(lock.kind ?? "", "l"), HTML.Cell(lock.mode, "l"),
                HTML.Cell(n(lock.heldMs)), HTML.Cell(by, "l"),
            ])
        }
        return html + "</table>"
    }

    static func faultsTable(_ rep: RepetitionResult) -> String {
        guard !rep.faults.isEmpty else { return "" }
        var html = "<h3>Faults</h3><table>"
        html += HTML.row(
            [
                "kind", HTML.Cell("target", "l"), HTML.Cell("during", "l"), HTML.Cell("applied", "l"), "from ms", "to ms",
                HTML.Cell("observed", "l"),
            ], header: true)
        for f in rep.faults {
            let observed = f.observed.sorted { $0.key < $1.key }
                .map { "\($0.key)=\(BlockingReasons.text($0.value))" }.joined(separator: ", ")
            let applied = (f.applied ? "yes" : "no" + (f.reason.map { ": " + $0 } ?? "")) + (f.enforcement.map { " (\($0))" } ?? "")
            html += HTML.row([
                HTML.Cell(f.kind), HTML.Cell(f.target, "l"), HTML.Cell(f.during ?? "", "l"),
                HTML.Cell(applied, f.applied ? "l" : "l failed"), HTML.Cell(n(f.startedMs)), HTML.Cell(n(f.endedMs)),
                HTML.Cell(observed, "l"),
            ])
        }
        return html + "</table>"
    }

    static func checksTable(_ rep: RepetitionResult) -> String {
        guard !rep.checks.isEmpty else { return "" }
        var html = "<h3>Checks</h3><table>"
        html += HTML.row(
            ["check", HTML.Cell("phase", "l"), HTML.Cell("result", "l"), HTML.Cell("expected", "l"), HTML.Cell("actual", "l")],
            header: true)
        for c in rep.checks {
            var actual = BlockingReasons.text(c.actual)
            if let e = c.error { actual += " (\([e.sqlstate, e.message].compactMap { $0 }.joined(separator: " ")))" }
            html += HTML.row([
                HTML.Cell(c.name), HTML.Cell(c.phase, "l"), HTML.Cell(c.passed ? "passed" : "failed", c.passed ? "l ok" : "l failed"),
                HTML.Cell(BlockingReasons.text(c.expected), "l"), HTML.Cell(actual, "l"),
            ])
        }
        return html + "</table>"
    }

    static func targetsTable(_ rep: RepetitionResult) -> String {
        guard !rep.targets.isEmpty else { return "" }
        var html = "<h3>Targets</h3><table>"
        html += HTML.row(["step", HTML.Cell("target", "l"), "actual", HTML.Cell("result", "l")], header: true)
        for t in rep.targets {
            // An `over` target: which window its actual value is from.
            let window = t.window.map { " (seconds \($0.fromSecond)-\($0.toSecond))" } ?? ""
            html += HTML.row([
                HTML.Cell(t.step), HTML.Cell(t.target, "l"), HTML.Cell(n(t.actual) + window),
                HTML.Cell(t.passed ? "held" : "missed", t.passed ? "l ok" : "l failed"),
            ])
        }
        return html + "</table>"
    }

    static func rollbackSection(_ rep: RepetitionResult) -> String {
        let r = rep.rollback
        guard r.status != .notRun else { return "" }
        var html = "<h3>Rollback\(r.via.map { " (\(HTML.escape($0)))" } ?? ""): "
        html += "<span class=\"\(HTML.statusClass(r.status.rawValue))\">\(HTML.escape(r.status.rawValue))</span>"
        html += "\(r.durationMs.map { " in \(n($0)) ms" } ?? "")</h3>"
        if let e = r.error {
            html +=
                "<p class=\"failed\">\(HTML.escape([e.migration, e.sqlstate, e.message].compactMap { $0 }.joined(separator: " · ")))</p>"
        }
        if r.differences.isEmpty {
            if r.status == .passed { html += "<p class=\"muted\">The schema after rollback matches the schema before the deployment.</p>" }
            return html
        }
        html += "<table>" + HTML.row(["object", HTML.Cell("kind", "l"), HTML.Cell("change", "l"), HTML.Cell("detail", "l")], header: true)
        for d in r.differences {
            html += HTML.row([HTML.Cell(d.object), HTML.Cell(d.kind, "l"), HTML.Cell(d.change, "l"), HTML.Cell(d.detail, "l")])
        }
        return html + "</table>"
    }
}
