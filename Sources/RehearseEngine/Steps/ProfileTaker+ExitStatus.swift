public import RehearseSupport

extension ProfileTaker.Failure: ExitStatusProviding {
    public var exitStatus: Int32 {
        switch self {
        case .invalid: ExitStatus.invalid
        case .server: ExitStatus.infrastructure
        }
    }
}
