import PostgresClient

/// Finds the password in a connection string, so it can be masked wherever it appears.
public enum ConnectionSecrets {
    public static func password(in conninfo: String) -> String? {
        ConnectionInfo.parse(conninfo)?["password"]
    }
}
