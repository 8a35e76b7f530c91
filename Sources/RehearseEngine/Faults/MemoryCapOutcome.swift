/// What became of a step's `memory_cap`: enforced, and how (`cgroup-v2`, `cgroup-v1`,
/// `rlimit-as` for a `run` step's process; `jemalloc-check` in rehearse's own process),
/// or not applied, and why. The fault's result says exactly this, `applied` true only
/// for `.enforced`.
enum MemoryCapOutcome: Sendable, Equatable {
    case enforced(String)
    case notApplied(reason: String)

    /// An in-process step is checked against jemalloc's count of allocated bytes; without
    /// that count nothing is checked.
    static func inProcess() -> MemoryCapOutcome {
        ClientMemory.allocatedBytes() != nil
            ? .enforced("jemalloc-check")
            : .notApplied(reason: "jemalloc's allocation count is not available in this process")
    }
}
