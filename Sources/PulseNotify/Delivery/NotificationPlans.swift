import PulseConfig
import PulseEngine
import PulseHistory
import PulseReport

/// The notification plan of a profile's evaluations: its routes, and events that show values
/// and worklist cells as the table does.
public enum NotificationPlans {
    /// The plan for `profile` (with the v1 webhook when `legacyWebhook`); nil when there is
    /// nowhere to send.
    public static func make(profile: ResolvedProfile, legacyWebhook: Bool, clock: Int64) -> NotificationPlan? {
        let plan = NotificationPlan(notifications: profile.notifications, legacyWebhook: legacyWebhook, clock: clock) { r in
            var rows: [[String]] = []
            let shown = min(r.rows.count, ResolvedNotifications.maxRows)
            r.rows.forEachRow(in: 0..<shown) { _, cells in rows.append(cells.map(EvalReport.cell)) }
            return EventDetail(valueText: EvalReport.formatted(r.value, unit: r.card.unit), columns: r.rows.columns, rows: rows)
        }
        return plan.isEmpty ? nil : plan
    }
}
