/// Waits for a state by looking at it: `condition` every 20 ms until it holds or `limit`
/// has passed (and, given `while`, only as long as that holds, such as a child process
/// being alive). True if the condition held. Tests wait for server state this way, never
/// by sleeping a fixed time.
public func poll(
    limit: Duration = .seconds(10), while going: () -> Bool = { true }, _ condition: () async -> Bool
) async -> Bool {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline && going() {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return false
}
