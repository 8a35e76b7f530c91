import RehearseScenario

extension RunOptions {
    /// Every `--pg-bin` folder, in the order given.
    var pgBinDirectories: [String] { (pgBin.map { [$0] } ?? []) + pgBins }

    /// The embedded server's programs: of `postgresMajor` when a version is asked for, else
    /// found as before (`--pg-bin`, then the search of `PostgresBinaries.locate`).
    func binaries() async throws -> PostgresBinaries {
        if let major = postgresMajor {
            return try await PostgresBinaries.locate(major: major, explicit: pgBinDirectories)
        }
        return try await PostgresBinaries.locate(explicit: pgBin)
    }
}

extension RunOptions {
    /// `.pg16` on the results of a run on an asked-for version; empty otherwise, so results
    /// and baselines of runs without versions keep their names.
    /// A load slice's adds `.slice2of4`: the slices of a run share its id and may start in the same millisecond.
    var resultsSuffix: String {
        PostgresVersions.fileSuffix(postgresMajor) + (loadSlice.map { ".slice\($0.index)of\($0.count)" } ?? "")
    }
}
