import Foundation
import PulseConfig
import PulseHistory

/// `pulse notify test`: a sample message through each channel, to check a route end to end
/// before an alert needs it.
public enum NotificationTest {
    /// What one channel did with the sample.
    public struct Outcome: Sendable {
        public var channel: String
        public var type: String
        /// The receiver as messages name it (no secret part).
        public var receiver: String
        /// Why it failed, if it did.
        public var failure: String?
    }

    /// A sample event for `profile`: a firing card with two worklist rows.
    public static func sample(profile: String, at: String, now: Int64) -> NotificationEvent {
        NotificationEvent(profile: profile, kind: NotificationEventKind.firing.rawValue, card: "pulse_test", title: "Pulse test message",
                          value: 2, valueText: "2", trigger: "> 0", state: "firing", severity: .warn, previous: "inactive",
                          reason: "a test from `pulse notify test`: if you read this, the channel works", columns: ["listing", "sku"],
                          rows: [["1005001", "SKU-RED-M"], ["1005002", "SKU-BLUE-L"]], rowCount: 2, roles: [], at: at, createdAt: now)
    }

    /// Sends the sample to every channel of `notifications` (or only `only`), all at once.
    public static func run(notifications: ResolvedNotifications, profile: String, only: String?, at: String, now: Int64,
                           environment: [String: String] = ProcessInfo.processInfo.environment, timeout: Double = 10) async -> [Outcome] {
        let channels = notifications.channels.filter { only == nil || $0.name.value == only }
        let message = NotificationMessage(profile: profile, store: nil, at: at, events: [sample(profile: profile, at: at, now: now)],
                                          publicURL: notifications.publicURL, rows: notifications.rows)
        let poster = HTTPPoster(timeout: timeout)
        let outcomes = await withTaskGroup(of: Outcome.self) { group in
            for channel in channels {
                group.addTask {
                    let target = ChannelTarget.configured(channel)
                    switch target.sender(environment: environment, profile: profile) {
                    case .failure(let why):
                        return Outcome(channel: target.name, type: target.type, receiver: "-", failure: why.description)
                    case .success(let sender):
                        let attempt = await sender.send(message, poster: poster, timeout: timeout)
                        return Outcome(channel: target.name, type: target.type, receiver: sender.receiver, failure: attempt.failure)
                    }
                }
            }
            var all: [Outcome] = []
            for await o in group { all.append(o) }
            return all.sorted { $0.channel < $1.channel }
        }
        await poster.shutdown()
        return outcomes
    }
}
