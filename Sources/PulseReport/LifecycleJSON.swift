import PulseDiagnostics
import PulseExpressions
import PulseHistory

/// A silence as JSON (the CLI and the API write the same object).
public enum LifecycleJSON {
    /// `{"id", "cards", "severity", "starts_at", "ends_at", "reason", "by", "created_at", "expired_at", "active"}`.
    public static func silence(_ s: Silence, now: Int64) -> String {
        func time(_ t: Int64) -> String { JSONText.quote(CELTimestamp(seconds: t)?.description ?? "") }
        return "{\"id\": \(s.id), \"cards\": [\(s.cards.map(JSONText.quote).joined(separator: ", "))], "
            + "\"severity\": \(s.severity.map { JSONText.quote($0.rawValue) } ?? "null"), \"starts_at\": \(time(s.startsAt)), "
            + "\"ends_at\": \(time(s.endsAt)), \"reason\": \(JSONText.quote(s.reason)), \"by\": \(JSONText.quote(s.createdBy)), "
            + "\"created_at\": \(time(s.createdAt)), \"expired_at\": \(s.expiredAt.map(time) ?? "null"), \"active\": \(s.isActive(at: now))}"
    }
}

extension LifecycleJSON {
    /// `{"by", "at", "note"}`.
    public static func acknowledgement(_ a: Acknowledgement) -> String {
        "{\"by\": \(JSONText.quote(a.by)), \"at\": \(JSONText.quote(CELTimestamp(seconds: a.at)?.description ?? "")), "
            + "\"note\": \(a.note.map(JSONText.quote) ?? "null")}"
    }
}
