/// The roles Pulse knows without being told.
public enum Roles {
    /// owner, operations, finance, marketing.
    public static let standard = ["owner", "operations", "finance", "marketing"]
}
