import Foundation
import PulseReport
import PulseConfig
import PulseDiagnostics
import PulseExpressions
import PulseHistory

/// `pulse history` and `pulse alerts`: what the history store remembers.
public enum HistoryRunner {
    /// Parses `--since`: a duration back from the profile's latest recorded snapshot, or an RFC 3339 time.
    static func since(_ text: String?, latest: CELTimestamp?) -> Result<CELTimestamp?, CommandFailure> {
        HistoryReport.since(text, latest: latest).mapError { .usage("--" + $0.message) }
    }

    private static func open(_ db: String?, command: String) -> Result<HistoryStore, CommandFailure> {
        let (path, _) = EvalRunner.databasePath(db)
        guard FileManager.default.fileExists(atPath: path) else {
            return .failure(.usage("\(command): no history store at \(path); record one with pulse eval --record"))
        }
        do { return .success(try EvalRunner.openStore(path, readOnly: true)) } catch {
            return .failure(CommandFailure(message: "\(command): \(error)", exitCode: ExitStatus.failure))
        }
    }

    /// The profile name `--profile` means: a name as it is, or the `profile:` of the file at a
    /// path (as `pulse eval --profile profiles/x.yaml` records it).
    static func profileName(_ given: String, command: String) -> Result<String, CommandFailure> {
        guard given.hasSuffix(".yaml") || given.hasSuffix(".yml") || given.contains("/") else { return .success(given) }
        guard given.hasSuffix(".yaml") || given.hasSuffix(".yml") else {
            return .failure(.usage("\(command): --profile \(given) is not a profile: give a profile name or a .yaml file"))
        }
        guard FileManager.default.fileExists(atPath: given) else { return .failure(.usage("\(command): no profile file at \(given)")) }
        let set: ConfigSet
        do { set = try ConfigSet.load(paths: [given]) } catch { return .failure(.usage("\(command): \(error)")) }
        guard let name = set.profiles.first?.name.value else {
            return .failure(.usage("\(command): \(given) is not a profile file (it has no 'profile:' name)"))
        }
        return .success(name)
    }

    static let blocks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    /// A sparkline of the values (nulls as spaces).
    public static func sparkline(_ values: [Double?]) -> String {
        // Only finite values have a height; an infinite or NaN value (or null) is a gap.
        let present = values.compactMap { $0 }.filter(\.isFinite)
        guard let low = present.min(), let high = present.max() else { return String(repeating: " ", count: values.count) }
        return String(values.map { v -> Character in
            guard let v, v.isFinite else { return " " }
            if high == low { return blocks[3] }
            let scaled = (v - low) / (high - low) * 7.999  // NaN or infinite when the span overflows
            guard scaled.isFinite else { return blocks[v == high ? 7 : 0] }
            return blocks[max(0, min(7, Int(scaled)))]
        })
    }

    /// The profile's name and the store opened read-only, or why not.
    private static func profileAndStore(_ given: String, db: String?, command: String) -> Result<(String, HistoryStore), CommandFailure> {
        profileName(given, command: command).flatMap { name in open(db, command: command).map { (name, $0) } }
    }

    /// `pulse history CARD --profile P`.
    public static func history(card: String, profile given: String, since: String?, format: ExprFormat, db: String?) -> CommandOutput {
        let profile: String, store: HistoryStore
        switch profileAndStore(given, db: db, command: "pulse history") {
        case .failure(let f): return f.output
        case .success(let opened): (profile, store) = opened
        }
        do {
            let known = try store.cards(profile: profile)
            guard known.contains(card) else {
                if known.isEmpty { return CommandFailure.usage("pulse history: nothing recorded for profile '\(profile)' in \(store.path)").output }
                return CommandFailure.usage("pulse history: no recorded values of '\(card)' for '\(profile)'" + Suggestion.didYouMean(card, in: known)).output
            }
            let from: CELTimestamp?
            switch Self.since(since, latest: try store.latestSnapshot(profile: profile)) {
            case .failure(let f): return f.output
            case .success(let t): from = t
            }
            let points = try store.series(profile: profile, card: card, since: from)
            if format == .json { return CommandOutput(stdout: HistoryReport.seriesJSON(profile: profile, card: card, points: points)) }
            var out = "\(card) for \(profile): \(points.count) recorded value\(points.count == 1 ? "" : "s")\n"
            out += "  " + sparkline(points.map(\.value)) + "\n"
            for p in points { out += HistoryReport.seriesLine(p) + "\n" }
            return CommandOutput(stdout: out)
        } catch {
            return CommandFailure(message: "pulse history: \(error)", exitCode: ExitStatus.failure).output
        }
    }

    /// `pulse alerts --profile P`.
    public static func alerts(profile given: String, since: String?, format: ExprFormat, db: String?) -> CommandOutput {
        let profile: String, store: HistoryStore
        switch profileAndStore(given, db: db, command: "pulse alerts") {
        case .failure(let f): return f.output
        case .success(let opened): (profile, store) = opened
        }
        do {
            let from: CELTimestamp?
            switch Self.since(since, latest: try store.latestSnapshot(profile: profile)) {
            case .failure(let f): return f.output
            case .success(let t): from = t
            }
            let active = try store.activeAlerts(profile: profile)
            let transitions = try store.transitions(profile: profile, since: from)
            if format == .json { return CommandOutput(stdout: HistoryReport.alertsJSON(profile: profile, active: active, transitions: transitions)) }
            var out = "alerts for \(profile)\n"
            if active.isEmpty { out += "  nothing firing\n" }
            for a in active {
                let mark = a.state != .firing ? "… pending" : (a.severity == .warn ? "△ FIRING warn" : "▲ FIRING")
                out += "  \(mark) \(a.card) since \(a.since) (value \(EvalReport.display(a.value)))\n"
            }
            out += "recent transitions, newest first:\n"
            if transitions.isEmpty { out += "  none\n" }
            for t in transitions { out += "  \(t.at)  " + EvalReport.transitionLine(t) + "\n" }
            return CommandOutput(stdout: out)
        } catch {
            return CommandFailure(message: "pulse alerts: \(error)", exitCode: ExitStatus.failure).output
        }
    }
}
