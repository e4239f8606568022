import Foundation
import PulseConfig
import PulseDiagnostics
import PulseExpressions
import PulseHistory
import PulseNotify
import PulseReport

/// `pulse silence`, `pulse ack` and `pulse notify`: the notification lifecycle from the command
/// line, in the history store that `pulse eval --record` and `pulse serve` share.
enum NotifyRunner {
    /// The profile, the store (created if needed) and the clock, or why not.
    private static func open(_ target: LifecycleTarget, command: String) -> Result<(ResolvedProfile, [String], HistoryStore, CELTimestamp), CommandFailure> {
        let now = target.now ?? CELTimestamp.wallClock
        let config: LoadedConfig
        switch LoadedConfig.load(cardsDir: target.folders.cards, profilesDir: target.folders.profiles, profile: target.profile, command: command) {
        case .failure(let f): return .failure(f)
        case .success(let c): config = c
        }
        guard let profile = config.profile else { return .failure(.usage("\(command): --profile is required")) }
        let (path, _) = EvalRunner.databasePath(target.store.db)
        do {
            return .success((profile, config.set.cards.map(\.key.value), try EvalRunner.openStore(path), now))
        } catch {
            return .failure(CommandFailure(message: "\(command): \(error)", exitCode: ExitStatus.failure))
        }
    }

    /// Runs `body` with the profile, its card keys, the store and the clock; what it throws (the
    /// store's errors) is the command's failure, exit 1.
    private static func withStore(_ target: LifecycleTarget, _ command: String,
                                  _ body: (ResolvedProfile, [String], HistoryStore, CELTimestamp) throws -> CommandOutput) -> CommandOutput {
        switch open(target, command: command) {
        case .failure(let f): return f.output
        case .success(let (profile, keys, store, now)):
            do { return try body(profile, keys, store, now) } catch {
                return CommandFailure(message: "\(command): \(error)", exitCode: ExitStatus.failure).output
            }
        }
    }

    private static func who(_ by: String?) -> String {
        if let by, !by.trimmingCharacters(in: .whitespaces).isEmpty { return by }
        return ProcessInfo.processInfo.environment["USER"].flatMap { $0.isEmpty ? nil : $0 } ?? "cli"
    }

    static func silenceAdd(_ target: LifecycleTarget, cards: [String], severity: AlertSeverity?, duration: String?, until: String?,
                           reason: String, by: String?) -> CommandOutput {
        let command = "pulse silence add"
        return withStore(target, command) { profile, keys, store, now in
            for card in cards where !keys.contains(card) {
                return CommandFailure.usage("\(command): no card '\(card)'" + Suggestion.didYouMean(card, in: keys)).output
            }
            let ends: Int64, text: String
            switch SilenceRules.end(duration: duration, until: until, now: now, names: .cli).flatMap({ end in
                SilenceRules.reason(reason, names: .cli).map { (end, $0) }
            }) {
            case .success(let v): (ends, text) = v
            case .failure(let problem): return CommandFailure.usage("\(command): \(problem)").output
            }
            let silence = try store.addSilence(profile: profile.name, cards: cards, severity: severity, startsAt: now.seconds, endsAt: ends,
                                               reason: text, by: who(by), now: now.seconds)
            return CommandOutput(stdout: "silence #\(silence.id) added: " + describe(silence, now: now.seconds) + "\n")
        }
    }

    static func silenceList(_ target: LifecycleTarget, all: Bool, json: Bool) -> CommandOutput {
        let command = "pulse silence list"
        return withStore(target, command) { profile, _, store, now in
            let silences = try store.silences(profile: profile.name, now: now.seconds, ended: all)
            if json { return CommandOutput(stdout: "[" + silences.map { LifecycleJSON.silence($0, now: now.seconds) }.joined(separator: ",\n ") + "]\n") }
            if silences.isEmpty { return CommandOutput(stdout: "no silences for \(profile.name)\(all ? "" : " now")\n") }
            return CommandOutput(stdout: silences.map { "#\($0.id)  " + describe($0, now: now.seconds) }.joined(separator: "\n") + "\n")
        }
    }

    static func silenceExpire(_ target: LifecycleTarget, id: Int64) -> CommandOutput {
        let command = "pulse silence expire"
        return withStore(target, command) { profile, _, store, now in
            let silence = try store.expireSilence(profile: profile.name, id: id, now: now.seconds)
            return CommandOutput(stdout: "silence #\(silence.id) expired: " + describe(silence, now: now.seconds) + "\n"
                                 + "alerts still firing that it covered are notified at the next delivery\n")
        }
    }

    static func ack(_ target: LifecycleTarget, card: String, by: String?, note: String?) -> CommandOutput {
        let command = "pulse ack"
        return withStore(target, command) { profile, keys, store, now in
            guard keys.contains(card) else { return CommandFailure.usage("\(command): no card '\(card)'" + Suggestion.didYouMean(card, in: keys)).output }
            let ack = try store.acknowledge(profile: profile.name, card: card, by: who(by), note: note.flatMap { $0.isEmpty ? nil : $0 }, now: now.seconds)
            return CommandOutput(stdout: "\(card) acknowledged by \(ack.by) at \(CELTimestamp(seconds: ack.at).map(\.description) ?? "")"
                                 + "; no reminders until it resolves or escalates\n")
        }
    }

    static func test(folders: ConfigFolders, profile given: String, channel: String?) async -> CommandOutput {
        let command = "pulse notify test"
        let config: LoadedConfig
        switch LoadedConfig.load(cardsDir: folders.cards, profilesDir: folders.profiles, profile: given, command: command) {
        case .failure(let f): return f.output
        case .success(let c): config = c
        }
        guard let profile = config.profile else { return CommandFailure.usage("\(command): --profile is required").output }
        let names = profile.notifications.channels.map(\.name.value)
        guard !names.isEmpty else {
            return CommandFailure.usage("\(command): profile '\(profile.name)' has no notifications.channels; see the README's \"Getting alerts\"").output
        }
        if let channel, !names.contains(channel) {
            return CommandFailure.usage("\(command): profile '\(profile.name)' has no channel '\(channel)'" + Suggestion.didYouMean(channel, in: names)).output
        }
        let now = CELTimestamp.wallClock
        let notifications = profile.notifications
        let outcomes = await NotificationTest.run(notifications: notifications, profile: profile.name, only: channel, at: now.description, now: now.seconds)
        var out = ""
        var err = ""
        for o in outcomes {
            if let failure = o.failure {
                err += "\(command): channel '\(o.channel)' (\(o.type)) to \(o.receiver): \(failure)\n"
            } else {
                out += "channel '\(o.channel)' (\(o.type)) to \(o.receiver): sent\n"
            }
        }
        return CommandOutput(stdout: out, stderr: err, exitCode: err.isEmpty ? ExitStatus.ok : EvalRunner.webhookExitCode)
    }

    static func status(_ target: LifecycleTarget, json: Bool) -> CommandOutput {
        let command = "pulse notify status"
        return withStore(target, command) { profile, _, store, now in
            let channels = try store.channelStatuses(profile: profile.name)
            func time(_ s: Int64?) -> String { s.flatMap { CELTimestamp(seconds: $0)?.description } ?? "never" }
            if json {
                return CommandOutput(stdout: "[" + channels.map { c in
                    "{\"channel\": \(JSONText.quote(c.name)), \"type\": \(JSONText.quote(c.type)), \"pending\": \(c.pending), "
                        + "\"attempts\": \(c.attempts), \"last_sent_at\": \(c.lastSentAt.map { JSONText.quote(time($0)) } ?? "null"), "
                        + "\"next_attempt_at\": \(c.attempts > 0 ? JSONText.quote(time(c.nextAttemptAt)) : "null"), "
                        + "\"last_error\": \(c.lastError.map(JSONText.quote) ?? "null")}"
                }.joined(separator: ",\n ") + "]\n")
            }
            if channels.isEmpty { return CommandOutput(stdout: "no channel has been used for \(profile.name) yet\n") }
            return CommandOutput(stdout: channels.map { c in
                var line = "\(c.name) (\(c.type)): \(c.pending) waiting, last delivery \(time(c.lastSentAt))"
                if c.attempts > 0 {
                    line += "; \(c.attempts) failed attempt\(c.attempts == 1 ? "" : "s"), next \(c.nextAttemptAt <= now.seconds ? "at the next delivery" : time(c.nextAttemptAt))"
                }
                if let e = c.lastError { line += "\n  last error: \(e)" }
                return line
            }.joined(separator: "\n") + "\n")
        }
    }

    /// `every card (warn only) until 2026-03-17T12:00:00Z (in 4h) by ana: re-listing tonight`.
    static func describe(_ s: PulseHistory.Silence, now: Int64) -> String {
        let cards = s.cards.isEmpty ? "every card" : s.cards.joined(separator: ", ")
        let level = s.severity.map { " (\($0.rawValue) only)" } ?? ""
        let end = CELTimestamp(seconds: s.effectiveEnd).map(\.description) ?? ""
        let left = s.effectiveEnd > now ? " (in \(CELDuration(seconds: s.effectiveEnd - now)?.readable ?? "\(s.effectiveEnd - now)s"))" : " (ended)"
        return "\(cards)\(level) until \(end)\(left) by \(s.createdBy): \(s.reason)"
    }
}
