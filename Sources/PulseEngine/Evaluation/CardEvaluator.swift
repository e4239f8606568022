import PulseConfig
import PulseExpressions
import PulseSnapshot

/// Runs a compiled card over a snapshot: filter, measure, breakdown, worklist and alert.
public struct CardEvaluator: Sendable {
    /// How many error examples a card keeps.
    public static let errorExampleLimit = 5

    /// The merchant.
    public let profile: ResolvedProfile
    /// The snapshot.
    public let snapshot: Snapshot
    /// `now` for every expression.
    public let now: CELTimestamp
    /// Recorded values for spike rules (nil: no history, so spikes have no baseline).
    public let baselines: BaselineSource?
    /// The evaluation clock freshness is judged at (`--now`, else the wall clock).
    public let checkedAt: CELTimestamp

    /// An evaluator of cards over `snapshot` for `profile` at `now` (CEL's `now`), judging
    /// freshness at `checkedAt` (default `now`).
    public init(profile: ResolvedProfile, snapshot: Snapshot, now: CELTimestamp, checkedAt: CELTimestamp? = nil, baselines: BaselineSource? = nil) {
        self.profile = profile
        self.snapshot = snapshot
        self.now = now
        self.checkedAt = checkedAt ?? now
        self.baselines = baselines
    }

    /// The sources a card reading `files` depends on, with their times and `stale_after`.
    func freshness(reading files: Set<SnapshotFile>) -> Freshness {
        let read = Set(files.map(SnapshotSource.of)).union([SnapshotSource.listings])
        let sources = read.sorted().map { source in
            let own: ConfigDuration? = switch source {
            case .bigcommerce: profile.sources.bigcommerce?.staleAfter?.value
            case .aliexpress: profile.sources.aliexpress?.staleAfter?.value
            }
            return Freshness.Source(source: source, takenAt: snapshot.takenAt(of: source), staleAfter: own ?? profile.staleAfter)
        }
        return Freshness(sources: sources, checkedAt: checkedAt)
    }

    /// Evaluates `compiled` with `settings`; an `observer` hears what happened to each row.
    public func evaluate(_ compiled: CompiledCard, settings: CardSettings, observer: EvaluationObserver? = nil) -> CardResult {
        let files = FieldUse.files(for: compiled)
        let missing = files.intersection(snapshot.missingFiles).sorted()
        let unmatched = files.contains(.stock) ? snapshot.unmatchedSKUs : nil
        let freshness = freshness(reading: files)
        var noData: NoDataReason?
        if !missing.isEmpty {
            noData = .missing(missing)
        } else if let unmatched, unmatched.count > 0, unmatched.percent > profile.maxUnmatchedSKUs {
            noData = .unmatchedSKUs(unmatched, maxPercent: profile.maxUnmatchedSKUs)
        }
        if let noData {
            return CardResult(card: compiled.card, settings: settings, value: nil, numerator: nil, denominator: nil, level: nil,
                              alertState: settings.alert == nil ? .none : .noData, severity: nil, alertNote: nil, noData: noData, freshness: freshness,
                              unmatchedSKUs: unmatched, spike: nil, breakdown: nil, rows: Worklist(columns: compiled.columns.map(\.name)),
                              errorCount: 0, errorExamples: [], rowsConsidered: 0, snapshot: snapshot)
        }
        let activation = Activation(slotCount: compiled.slotCount)
        activation.timeZone = CELTimeZone(profile.timezone) ?? .utc  // validate checked the name
        activation.slots[Slots.now] = .timestamp(now)
        activation.slots[Slots.profile] = .object(ProfileObject(profile))
        activation.slots[Slots.params] = .object(ParamsObject(settings.params))
        // An observer reads each row's trace: the programs must carry the observe decorator.
        assert(observer == nil || compiled.observing, "an observer needs a card compiled with observing: true")
        if observer != nil { activation.trace = Trace() }
        var run = CardRun(compiled, snapshot: snapshot, activation: activation)
        run.run(observer == nil ? .planned : .traced, observer: observer)
        return result(of: run, settings: settings, unmatched: unmatched, freshness: freshness)
    }

    /// The card's result from a finished run: value, breakdown, alert and spike.
    private func result(of run: CardRun, settings: CardSettings, unmatched: UnmatchedSKUs?, freshness: Freshness) -> CardResult {
        let card = run.compiled.card
        let value = run.value
        let total = run.total
        let cardValue = value(total)
        let breakdown = run.compiled.groupBy == nil ? nil : zip(run.groupLabels, run.groupTotals).map { (label: $0.0, value: value($0.1)) }.sorted {
            ($0.value ?? -.infinity, $1.label) > ($1.value ?? -.infinity, $0.label)
        }
        let isPercent = { if case .percent = card.measure { return true } else { return false } }()
        var spike: SpikeOutcome?
        if let rule = settings.alert?.spike {
            // The baseline reaches back at most to the start of the timestamp range.
            let back = now.seconds.subtractingReportingOverflow(Int64(rule.baseline.seconds))
            let since = (back.overflow ? nil : CELTimestamp(seconds: back.partialValue, nanos: now.nanos)) ?? CELTimestamp.minimum
            var history: [Double] = []
            var unreadable: String?
            do { history = try baselines?.values(card: card.key.value, from: since, before: now) ?? [] } catch {
                unreadable = "\(error)"
            }
            if let unreadable {
                spike = .unavailable(unreadable)
            } else if history.isEmpty {
                spike = .noBaseline
            } else {
                spike = .compared(median: SpikeRule.median(history), count: history.count,
                                  holds: cardValue.flatMap { rule.holds($0, history: history) } ?? false)
            }
        }
        let spikeHolds = { if case .compared(_, _, true)? = spike { return true } else { return false } }()
        let level = settings.alert?.level(value: cardValue, spikeHolds: spikeHolds)
        let (state, severity, note) = CardState.initial(level: level, alert: settings.alert)
        var result = CardResult(
            card: card, settings: settings, value: cardValue,
            numerator: isPercent ? Double(total.held) : cardValue,
            denominator: isPercent ? Double(total.passed) : nil,
            level: level, alertState: state, severity: severity, alertNote: note, noData: nil, freshness: freshness,
            unmatchedSKUs: unmatched, spike: spike,
            breakdown: breakdown, rows: run.rows, errorCount: run.errorCount, errorExamples: run.examples, rowsConsidered: run.considered,
            snapshot: snapshot)
        result.integerValue = run.integerValue(total)
        result.coverageNote = coverageNote(card: card, settings: settings)
        return result
    }

    /// `first pull: audit events are counted from 09:00 today` while the audit events a card over
    /// them reads began (`audit_events_since`) less than its window before `now`.
    func coverageNote(card: Card, settings: CardSettings) -> String? {
        guard let since = snapshot.auditEventsSince, card.from == .auditEvents else { return nil }
        let window: ConfigDuration?
        switch card.window {
        case .realTime: window = nil
        case .trailing(let d): window = d
        case .param(let name):
            if let i = card.params.firstIndex(where: { $0.name.value == name }), i < settings.paramValues.count,
               case .duration(let d) = settings.paramValues[i] { window = d } else { window = nil }
        }
        guard let window, Freshness.seconds(from: since, to: now) < Int64(window.seconds) else { return nil }
        return "first pull: audit events are counted from \(Self.localWords(since, now: now, timeZone: profile.timezone)), less than the \(window) window"
    }

    /// `09:00 today`, `18:30 yesterday`, `2026-03-14 09:00`: `t` in `timeZone` as seen from `now`.
    static func localWords(_ t: CELTimestamp, now: CELTimestamp, timeZone: String) -> String {
        let zone = CELTimeZone(timeZone) ?? .utc
        let local = t.seconds + zone.offset(at: t.seconds)
        let localNow = now.seconds + zone.offset(at: now.seconds)
        func day(_ s: Int64) -> Int64 { s >= 0 ? s / 86_400 : (s - 86_399) / 86_400 }
        let inDay = local - day(local) * 86_400
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let clock = two(inDay / 3600) + ":" + two(inDay % 3600 / 60)
        switch day(localNow) - day(local) {
        case 0: return "\(clock) today"
        case 1: return "\(clock) yesterday"
        default:
            let date = CELTimestamp(seconds: local, nanos: 0).map { String($0.description.prefix(10)) } ?? String(t.description.prefix(10))
            return "\(date) \(clock)"
        }
    }
}
