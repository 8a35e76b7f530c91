/// What part of a suite a document holds, when `run --shard I/N` ran it: `"shard": {"shard":
/// "2/4", "repeat": 5, "repetitions": [2, 4]}`. `repeat` is how many repetitions the whole suite
/// runs of the scenario, `repetitions` the ones (1-based) this shard ran, so `merge` can tell a
/// missing shard from a complete suite.
public struct ShardInfo: Codable, Sendable, Equatable {
    public var shard: String
    public var `repeat`: Int
    public var repetitions: [Int]

    package init(shard: String, repeat: Int, repetitions: [Int]) {
        self.shard = shard
        self.repeat = `repeat`
        self.repetitions = repetitions
    }
}
