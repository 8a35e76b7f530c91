import Testing
@testable import RehearseEngine

/// The repetition's decisions, without a server: order, skips after a failure or an
/// interrupt, and when background workloads start and stop.
@Suite("Repetition schedule")
struct RepetitionScheduleTests {
    typealias Shape = RepetitionSchedule.StepShape

    static func fg(_ name: String, stops: Bool = true) -> Shape {
        Shape(name: name, background: false, stopsOnError: stops, until: name)
    }
    static func bg(_ name: String, until: String) -> Shape {
        Shape(name: name, background: true, stopsOnError: true, until: until)
    }

    /// Drives the schedule to the end; `failing` steps fail, `broken` ones cannot run as asked.
    static func drive(
        _ steps: [Shape], failing: Set<String> = [], broken: Set<String> = [], interruptAfter: String? = nil
    ) -> [RepetitionSchedule.Action] {
        var schedule = RepetitionSchedule(steps: steps)
        var actions: [RepetitionSchedule.Action] = []
        var interrupted = false
        while true {
            let action = schedule.next(interrupted: interrupted)
            actions.append(action)
            switch action {
            case .run(let i):
                schedule.finished(i, failed: failing.contains(steps[i].name), infrastructureFailure: broken.contains(steps[i].name))
                if steps[i].name == interruptAfter { interrupted = true }
            case .done: return actions
            default: continue
            }
        }
    }

    @Test func stepsRunInOrder() {
        #expect(Self.drive([Self.fg("a"), Self.fg("b"), Self.fg("c")]) == [.run(index: 0), .run(index: 1), .run(index: 2), .done])
    }

    @Test func aFailureWithOnErrorStopSkipsTheRest() {
        let actions = Self.drive([Self.fg("a"), Self.fg("b"), Self.fg("c")], failing: ["a"])
        #expect(actions == [.run(index: 0), .skip(index: 1, reason: .earlierStepFailed), .skip(index: 2, reason: .earlierStepFailed), .done])
    }

    @Test func aFailureWithOnErrorContinueGoesOn() {
        let actions = Self.drive([Self.fg("a", stops: false), Self.fg("b")], failing: ["a"])
        #expect(actions == [.run(index: 0), .run(index: 1), .done])
    }

    @Test func aStepThatCannotRunAsAskedStopsTheRunWhateverItsOnError() {
        let actions = Self.drive([Self.fg("a", stops: false), Self.fg("b")], broken: ["a"])
        #expect(actions == [.run(index: 0), .skip(index: 1, reason: .earlierStepFailed), .done])
    }

    @Test func anInterruptSkipsWhatHasNotBegun() {
        let actions = Self.drive([Self.fg("a"), Self.fg("b"), Self.fg("c")], interruptAfter: "a")
        #expect(actions == [.run(index: 0), .skip(index: 1, reason: .interrupted), .skip(index: 2, reason: .interrupted), .done])
    }

    @Test func aBackgroundWorkloadStopsWhenItsUntilStepEnds() {
        let steps = [Self.bg("traffic", until: "migrate"), Self.fg("migrate"), Self.fg("check")]
        #expect(
            Self.drive(steps) == [
                .startBackground(index: 0, until: "migrate"), .run(index: 1), .stopBackgrounds([0]), .run(index: 2), .done,
            ])
    }

    @Test func backgroundWorkloadsLeftRunningStopAtTheEndInStartOrder() {
        let steps = [Self.bg("t1", until: "t1"), Self.bg("t2", until: "t2"), Self.fg("migrate")]
        #expect(
            Self.drive(steps) == [
                .startBackground(index: 0, until: "t1"), .startBackground(index: 1, until: "t2"), .run(index: 2),
                .stopBackgrounds([0, 1]), .done,
            ])
    }

    @Test func aFailureStillStopsTheWorkloadsWaitingForThatStepBeforeSkipping() {
        let steps = [Self.bg("traffic", until: "migrate"), Self.fg("migrate"), Self.fg("after")]
        #expect(
            Self.drive(steps, failing: ["migrate"]) == [
                .startBackground(index: 0, until: "migrate"), .run(index: 1), .stopBackgrounds([0]),
                .skip(index: 2, reason: .earlierStepFailed), .done,
            ])
    }

    @Test func aBackgroundStepAfterAFailureIsSkippedNotStarted() {
        let steps = [Self.fg("a"), Self.bg("traffic", until: "b"), Self.fg("b")]
        #expect(
            Self.drive(steps, failing: ["a"]) == [
                .run(index: 0), .skip(index: 1, reason: .earlierStepFailed), .skip(index: 2, reason: .earlierStepFailed), .done,
            ])
    }

    @Test func skipReasonsReadAsTheResultsSayThem() {
        #expect(RepetitionSchedule.SkipReason.earlierStepFailed.text == "an earlier step failed and stopped the run")
        #expect(RepetitionSchedule.SkipReason.interrupted.text == "the run was interrupted")
    }
}
