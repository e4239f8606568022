@testable import PulseHistory
import Testing

/// Issue 24, item 12: day one's firing read "inactive -> firing ... spike: no baseline yet, not
/// firing" in the CLI, the dashboard and notifications. The one wording all three take.
@Suite("a transition's reason as people read it")
struct TransitionReasonTests {
    func transition(to: String, reason: String) -> AlertTransition {
        AlertTransition(id: 1, profile: "p", card: "c", title: "C", from: "inactive", to: to, severity: nil, value: 2,
                        at: "2026-03-17T08:00:00Z", roles: ["owner"], reason: reason, deliveredAt: nil)
    }

    @Test("a firing with no spike baseline says the trigger fired; other states and reasons are kept")
    func readable() {
        let recorded = "> 0 or spike ×5 over 7d (min 10); spike: no baseline yet (no values recorded in the last 7d), not firing"
        #expect(transition(to: "firing", reason: recorded).readableReason
            == "> 0 or spike ×5 over 7d (min 10); the trigger fired; the spike rule has no baseline yet (no values recorded in the last 7d)")
        #expect(transition(to: "escalated", reason: recorded).readableReason.contains("the trigger fired"))
        #expect(transition(to: "pending", reason: recorded).readableReason == recorded, "pending is indeed not firing")
        #expect(transition(to: "firing", reason: "> 0; held 2 of 2 evaluations").readableReason == "> 0; held 2 of 2 evaluations")
    }
}
