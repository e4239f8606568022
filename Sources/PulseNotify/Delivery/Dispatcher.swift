import Foundation
import PulseConfig
import PulseHistory

/// Delivers a profile's outbox: every channel at once (one that fails or hangs holds back no
/// other), each in event order, one message per channel per evaluation (PagerDuty: one event
/// per card), silences and quiet hours applied, retries with backoff inside the run and then
/// from the next run on.
public struct Dispatcher: Sendable {
    /// How hard a run tries.
    public struct Options: Sendable {
        /// Attempts per message in one run.
        public var attempts = 3
        /// Seconds before the first retry in a run (doubling).
        public var backoff = 0.5
        /// Seconds one call to a receiver may take.
        public var timeout = 10.0
        /// Seconds before the next run retries a failed channel (doubling per failure, at most an hour).
        public var retryAfter: Int64 = 60
        /// Seconds an event may wait before it is dropped with a notice.
        public var maxAge: Int64 = 86_400
        /// The v1 `--notify-webhook` URL, when given.
        public var legacyWebhook: URL?
        /// Retry a failed channel now, whatever its backoff says (`pulse eval --notify` does,
        /// for the events it just recorded).
        public var ignoreBackoff = false

        public init() {}
    }

    /// What a run did.
    public struct Report: Sendable {
        /// Events delivered, per channel.
        public var sent: [String: Int] = [:]
        /// Messages (requests, emails) sent.
        public var messages = 0
        /// One line per channel that failed: name, type, receiver, why, what happens next.
        public var failures: [String] = []
        /// Things a person should know: events dropped after 24 h, events held by quiet hours.
        public var notices: [String] = []
        /// Events suppressed by a silence.
        public var suppressed = 0
        /// Events held by quiet hours.
        public var held = 0
        /// The channels that failed.
        public var failedChannels: [String] = []
        /// Whether some channel failed.
        public var failed: Bool { !failures.isEmpty }
    }

    let store: HistoryStore
    let profile: String
    let notifications: ResolvedNotifications
    let timezone: String
    let environment: [String: String]
    let options: Options

    /// A dispatcher for `profile`'s channels in `store`; secrets are read from `environment`.
    public init(store: HistoryStore, profile: String, notifications: ResolvedNotifications, timezone: String,
                environment: [String: String] = ProcessInfo.processInfo.environment, options: Options = Options()) {
        self.store = store
        self.profile = profile
        self.notifications = notifications
        self.timezone = timezone
        self.environment = environment
        self.options = options
    }

    /// The channels this dispatcher delivers: the profile's and the v1 webhook.
    var targets: [ChannelTarget] {
        notifications.channels.map { ChannelTarget.configured($0) } + (options.legacyWebhook.map { [ChannelTarget.legacy($0)] } ?? [])
    }

    /// Delivers what is due at `now` (Unix seconds, the injected clock).
    public func deliver(now: Int64) async -> Report {
        var report = Report()
        do {
            for (channel, count) in try store.dropExpired(profile: profile, now: now, maxAge: options.maxAge) {
                report.notices.append("notify: channel '\(channel)': \(count) event\(count == 1 ? "" : "s") undelivered for more than 24 h "
                                      + "\(count == 1 ? "was" : "were") dropped (see `pulse notify status --profile \(profile)`)")
            }
            try store.registerChannels(profile: profile, targets.map { ($0.name, $0.type) }, now: now)
            _ = try store.queueDue(profile: profile, notifications: notifications, now: now)
        } catch {
            report.failures.append("notify: \(error)")
            return report
        }
        let silences = (try? store.silences(profile: profile, now: now, ended: true)) ?? []
        let poster = HTTPPoster(timeout: options.timeout)
        let outcomes = await withTaskGroup(of: ChannelOutcome.self) { group in
            for target in targets {
                group.addTask { await self.deliver(target, now: now, silences: silences, poster: poster) }
            }
            var all: [ChannelOutcome] = []
            for await outcome in group { all.append(outcome) }
            return all.sorted { $0.name < $1.name }
        }
        await poster.shutdown()
        for o in outcomes {
            if o.sent > 0 { report.sent[o.name] = o.sent }
            report.messages += o.messages
            report.suppressed += o.suppressed
            report.held += o.held
            report.failures += o.failure.map { [$0] } ?? []
            if o.failure != nil { report.failedChannels.append(o.name) }
            report.notices += o.notices
        }
        return report
    }

    /// What one channel's delivery did.
    struct ChannelOutcome: Sendable {
        var name: String
        var sent = 0
        var messages = 0
        var suppressed = 0
        var held = 0
        var failure: String?
        var notices: [String] = []
    }

    private func deliver(_ target: ChannelTarget, now: Int64, silences: [Silence], poster: HTTPPoster) async -> ChannelOutcome {
        var outcome = ChannelOutcome(name: target.name)
        let label = "notify: channel '\(target.name)' (\(target.type))"
        // Long enough for every attempt of a large backlog; a run that crashed gives it up when it expires.
        let lease = Int64(Double(options.attempts) * (options.timeout + options.backoff * 4) * 8) + 120
        do {
            guard try store.claimChannel(profile: profile, channel: target.name, now: now, lease: lease, ignoreBackoff: options.ignoreBackoff) else {
                // Backoff not due (serve looks again later), or another pulse holds it: its run sends them.
                if options.ignoreBackoff {
                    outcome.notices.append("\(label): another pulse is delivering it now; what waits is sent by that run or the next")
                }
                return outcome
            }
        } catch {
            outcome.failure = "\(label): \(error)"
            return outcome
        }
        // A backlog goes in batches, so that memory stays bounded by the batch, not the backlog.
        var previousFirst: Int64?
        while true {
            let events: [NotificationEvent]
            do { events = try store.pendingEvents(profile: profile, channel: target.name, now: now, limit: Self.batch) } catch {
                outcome.failure = "\(label): \(error)"
                try? store.releaseChannel(profile: profile, channel: target.name)
                return outcome
            }
            // Nothing left, or a batch that could not be moved on (the store refused to mark it): stop.
            if events.isEmpty || events.first?.id == previousFirst { break }
            previousFirst = events.first?.id
            guard await deliver(events, to: target, label: label, now: now, silences: silences, poster: poster, into: &outcome) else { return outcome }
            if events.count < Self.batch { break }
        }
        try? store.releaseChannel(profile: profile, channel: target.name)
        return outcome
    }

    /// Events read from the outbox at a time.
    public static let batch = 1_000

    /// Delivers one batch of a claimed channel's events; false when the channel failed (its
    /// claim released, the failure in `outcome`).
    private func deliver(_ events: [NotificationEvent], to target: ChannelTarget, label: String, now: Int64, silences: [Silence],
                         poster: HTTPPoster, into outcome: inout ChannelOutcome) async -> Bool {
        // Silences: an event covered by a silence active when it happened or now is not sent,
        // but a resolve is, to a channel that was told of the firing.
        var suppressed: [(Int64, String)] = []
        var held: [Int64] = []
        var holdUntil: Int64 = now
        var due: [NotificationEvent] = []
        for event in events {
            if let silence = silences.first(where: { ($0.isActive(at: event.createdAt) || $0.isActive(at: now)) && $0.covers(card: event.card, severity: event.severity) }),
               target.honoursSilences {
                let known = event.kind == "resolved" ? ((try? store.channelKnowsFiring(profile: profile, channel: target.name, card: event.card ?? "")) ?? false) : false
                if !known {
                    suppressed.append((event.id, "silenced by #\(silence.id)"))
                    continue
                }
            }
            if let until = QuietHours.heldUntil(now: now, windows: notifications.quietHours, timezone: timezone, severity: event.severity),
               target.honoursQuietHours {
                held.append(event.id)
                holdUntil = max(holdUntil, until)
                continue
            }
            due.append(event)
        }
        for (id, note) in suppressed { try? store.suppress(profile: profile, channel: target.name, events: [id], note: note) }
        outcome.suppressed += suppressed.count
        if !held.isEmpty {
            try? store.hold(profile: profile, channel: target.name, events: held, until: holdUntil)
            outcome.held += held.count
            outcome.notices.append("\(label): \(held.count) event\(held.count == 1 ? "" : "s") held by quiet hours until \(Dispatcher.local(holdUntil, timezone))")
        }
        let sender: ChannelSender
        switch target.sender(environment: environment, profile: profile) {
        case .success(let s): sender = s
        case .failure(let why):
            if !due.isEmpty {
                _ = try? store.markFailed(profile: profile, channel: target.name, error: why.description) { retryTime(now: now, attempts: $0) }
                outcome.failure = "\(label): \(why); \(due.count) event\(due.count == 1 ? "" : "s") kept for the next run"
            } else {
                try? store.releaseChannel(profile: profile, channel: target.name)
            }
            return false
        }
        // One message per evaluation (events made outside one, reminders, go together by time).
        var groups: [[NotificationEvent]] = []
        var lastKey: String?
        for event in due {
            let key = event.evaluationID.map { "e\($0)" } ?? "t\(event.createdAt)"
            if key == lastKey, !groups.isEmpty, !sender.perEvent { groups[groups.count - 1].append(event) } else { groups.append([event]) }
            lastKey = key
        }
        var sentHere = 0
        for group in groups {
            let message = NotificationMessage(profile: profile, store: group.first?.store, at: group.first?.at ?? "", events: group,
                                              publicURL: notifications.publicURL, rows: notifications.rows)
            var failure: String?
            var messages = 0
            for attempt in 0..<max(1, options.attempts) {
                if attempt > 0 { try? await Task.sleep(for: .seconds(options.backoff * pow(2, Double(attempt - 1)))) }
                let result = await sender.send(message, poster: poster, timeout: options.timeout)
                messages = result.messages
                failure = result.failure
                if failure == nil || result.permanent { break }
            }
            outcome.messages += messages
            if let failure {
                let retry = (try? store.markFailed(profile: profile, channel: target.name, error: failure) { retryTime(now: now, attempts: $0) })
                    ?? retryTime(now: now, attempts: 1)
                let waiting = due.count - sentHere
                if case .legacy = target, let first = group.first {
                    // v1's words.
                    outcome.failure = "webhook \(sender.receiver) failed for \(first.card ?? "") (\(first.kind)): \(failure); "
                        + "the transition is recorded and will be sent again with the next --notify-webhook"
                    return false
                }
                outcome.failure = "\(label) to \(sender.receiver): \(failure); \(waiting) event\(waiting == 1 ? "" : "s") kept, "
                    + "retried by the next run from \(Dispatcher.local(retry, timezone))"
                return false
            }
            do { try store.markSent(profile: profile, channel: target.name, events: group, now: now, releasing: false) } catch {
                // Sent but not marked: the next run sends it again (at least once, never lost).
                outcome.failure = "\(label): sent, but \(error); it may be sent again"
                try? store.releaseChannel(profile: profile, channel: target.name)
                return false
            }
            outcome.sent += group.count
            sentHere += group.count
        }
        return true
    }

    /// When the next run retries a channel that failed `attempts` times in a row.
    func retryTime(now: Int64, attempts: Int) -> Int64 {
        let shift = min(max(attempts - 1, 0), 6)
        return now + min(options.retryAfter << Int64(shift), 3600)
    }

    /// `2026-03-21 09:00 Europe/Berlin`.
    static func local(_ seconds: Int64, _ timezone: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: timezone) ?? TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds))) + " " + timezone
    }
}
