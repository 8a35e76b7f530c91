import Foundation
import RehearseEngine
import RehearseSupport

extension Run {
    /// `--load-slice I/N --run-id ID [--slice-timeout S]`, checked; nil without `--load-slice`.
    func loadSliceOption(server: String?) throws(RehearseError) -> LoadSlice? {
        guard let loadSlice else {
            if runID != nil { throw .invalidInput("--run-id goes with --load-slice") }
            if sliceTimeout != nil { throw .invalidInput("--slice-timeout goes with --load-slice") }
            return nil
        }
        if shard != nil { throw .invalidInput("--load-slice and --shard: give one (a shard runs whole repetitions; slices share them)") }
        var slice = try LoadSlice.parse(loadSlice, runID: runID, server: server)
        if let sliceTimeout {
            guard let seconds = Double(sliceTimeout), seconds > 0, seconds <= 86_400 else {
                throw .invalidInput("--slice-timeout: '\(sliceTimeout)' is not a number of seconds from 0 to 86400")
            }
            slice.timeout = .milliseconds(Int64(seconds * 1000))
        }
        return slice
    }
}
