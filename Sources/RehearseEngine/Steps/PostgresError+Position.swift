import PostgresClient
import RehearseSupport

extension PostgresError {
    /// The 1-based line and column of the server's `position` within `statement`, counted
    /// as every other position in rehearse is (`TextPosition`).
    var lineAndColumn: (line: Int, column: Int)? {
        guard let position, let statement, position >= 1 else { return nil }
        return TextPosition.lineAndColumn(ofCharacter: position, in: statement)
    }
}
