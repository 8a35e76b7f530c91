/// One lane's transactions of one second of the timeline: how many, how many
/// failed, the slowest, and their latencies in compact form (the (value, count)
/// pairs of `LatencyHistogram.pairs()`), failed ones included.
package struct TimelineSecond: Sendable {
    package var second: Int
    package var batches: Int
    package var errors: Int
    package var maxMicros: UInt32
    package var latencies: [UInt8]

    package init(second: Int, batches: Int, errors: Int, maxMicros: UInt32, latencies: [UInt8]) {
        self.second = second
        self.batches = batches
        self.errors = errors
        self.maxMicros = maxMicros
        self.latencies = latencies
    }
}
