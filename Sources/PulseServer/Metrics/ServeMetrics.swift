import Foundation
import NIOConcurrencyHelpers
import Prometheus
import PulseNotify
import PulseEngine

/// The series `GET /metrics` exposes: the one table the exposition, the README and the tests read.
enum ServeMetric: String, CaseIterable, Sendable {
    case cardValue = "card_value"
    case cardFiring = "card_firing"
    case cardNoData = "card_no_data"
    case cardStale = "card_stale"
    case cardSeverity = "card_severity"
    case cardDataAge = "card_data_age_seconds"
    case cardUnmatchedSKUs = "card_unmatched_skus"
    case snapshotAge = "snapshot_age_seconds"
    case evaluationSeconds = "evaluation_seconds"
    case pullErrors = "pull_errors_total"
    case notificationsSent = "notifications_sent_total"
    case notificationFailures = "notification_failures_total"
    case configReloadSuccess = "config_reload_success"

    /// The full name, `pulse_...`.
    var name: String { "pulse_" + rawValue }

    /// Its labels.
    var labels: [String] {
        switch self {
        case .cardValue, .cardFiring, .cardNoData, .cardStale, .cardSeverity, .cardDataAge, .cardUnmatchedSKUs: ["profile", "card"]
        case .snapshotAge, .evaluationSeconds: ["profile"]
        case .pullErrors: ["profile", "source"]
        case .notificationsSent, .notificationFailures: ["profile", "channel"]
        case .configReloadSuccess: []
        }
    }

    /// What it measures (the `# HELP` line and the README).
    var help: String {
        switch self {
        case .cardValue: "The card's value in the served evaluation (absent when the card has no data)."
        case .cardFiring: "1 when the card's alert fires, else 0 (absent when the card has no data or is stale)."
        case .cardNoData: "1 when the card has no data (a snapshot file it reads is missing, or its stock join matched too little), else 0."
        case .cardStale: "1 when the card's data is older than its `stale_after` (the value is shown, nothing fires), else 0."
        case .cardSeverity: "0 when the card does not fire, 1 when it fires at warn, 2 at critical (absent when the card has no data or is stale)."
        case .cardDataAge: "Seconds from the oldest `taken_at` of the sources the card reads to the evaluation clock (judged again as the clock moves)."
        case .cardUnmatchedSKUs: "Listing SKUs without a BigCommerce stock record, for the cards that read stock."
        case .snapshotAge: "Seconds from the served snapshot's taken_at to the scrape."
        case .evaluationSeconds: "Seconds each evaluation took: loading the snapshot, evaluating, recording."
        case .pullErrors: "Scheduled pulls that failed, by source (bigcommerce, aliexpress, config, output)."
        case .notificationsSent: "Events delivered to a notification channel."
        case .notificationFailures: "Deliveries to a notification channel that failed (each is retried)."
        case .configReloadSuccess: "1 when the latest config reload validated for every profile, else 0."
        }
    }

    var descriptor: MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }
}

/// The Prometheus series of `pulse serve`, kept per profile so that a token scrapes its own
/// profile's series only: one registry of the service's own series, and one of the card series
/// (made anew with each evaluation, holding only the cards an owner may see).
final class ServeMetrics: Sendable {
    private struct ProfileSeries {
        let registry = PrometheusCollectorRegistry()
        let evaluation: ValueHistogram
        let reload: Gauge
        let snapshotAge: Gauge
        var pullErrors: [String: Counter] = [:]
        var notificationsSent: [String: Counter] = [:]
        var notificationFailures: [String: Counter] = [:]
        /// The card series of the latest evaluation.
        var cards = PrometheusCollectorRegistry()
        var takenAt: Date?

        init(profile: String, reloadOK: Bool) {
            evaluation = registry.makeValueHistogram(descriptor: ServeMetric.evaluationSeconds.descriptor, labels: [("profile", profile)],
                                                     buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60])
            reload = registry.makeGauge(descriptor: ServeMetric.configReloadSuccess.descriptor)
            reload.set(to: reloadOK ? 1.0 : 0.0)
            snapshotAge = registry.makeGauge(descriptor: ServeMetric.snapshotAge.descriptor, labels: [("profile", profile)])
        }
    }

    private let series = NIOLockedValueBox<[String: ProfileSeries]>([:])
    private let reloadOK = NIOLockedValueBox(true)

    private func withProfile<T>(_ profile: String, _ body: (inout ProfileSeries) -> T) -> T {
        let ok = reloadOK.withLockedValue { $0 }
        return series.withLockedValue { all in
            var s = all[profile] ?? ProfileSeries(profile: profile, reloadOK: ok)
            defer { all[profile] = s }
            return body(&s)
        }
    }

    /// `pulse_config_reload_success`: 1 when the latest reload validated, else 0.
    func configReloaded(ok: Bool) {
        reloadOK.withLockedValue { $0 = ok }
        series.withLockedValue { all in for s in all.values { s.reload.set(to: ok ? 1.0 : 0.0) } }
    }

    /// A new evaluation of `profile`: its duration, and the card series of the cards in `ownerSees`.
    func evaluated(profile: String, served: ServedEvaluation, ownerSees: [String]) {
        withProfile(profile) { s in s.evaluation.record(served.seconds) }
        judged(profile: profile, served: served, ownerSees: ownerSees)
    }

    /// The card series of the cards in `ownerSees`, made anew (after an evaluation, or after the
    /// clock made cards stale). A card without data has `pulse_card_no_data` 1 and no value,
    /// firing or severity series: missing, not zero; a stale card has its value and
    /// `pulse_card_stale` 1, and no firing or severity series.
    func judged(profile: String, served: ServedEvaluation, ownerSees: [String]) {
        let cards = PrometheusCollectorRegistry()
        for key in ownerSees {
            guard let r = served.result(key) else { continue }
            let labels = [("profile", profile), ("card", key)]
            let noData = r.state == .noData || r.value == nil
            cards.makeGauge(descriptor: ServeMetric.cardNoData.descriptor, labels: labels).set(to: noData ? 1.0 : 0.0)
            cards.makeGauge(descriptor: ServeMetric.cardStale.descriptor, labels: labels).set(to: r.state == .stale ? 1.0 : 0.0)
            cards.makeGauge(descriptor: ServeMetric.cardDataAge.descriptor, labels: labels).set(to: Double(r.freshness.ageSeconds))
            if let unmatched = r.unmatchedSKUs {
                cards.makeGauge(descriptor: ServeMetric.cardUnmatchedSKUs.descriptor, labels: labels).set(to: Double(unmatched.count))
            }
            guard !noData, let value = r.value else { continue }
            cards.makeGauge(descriptor: ServeMetric.cardValue.descriptor, labels: labels).set(to: value)
            guard r.state != .stale else { continue }
            cards.makeGauge(descriptor: ServeMetric.cardFiring.descriptor, labels: labels).set(to: r.firing ? 1.0 : 0.0)
            let level: Double = r.firing ? (r.severity == .warn ? 1 : 2) : 0
            cards.makeGauge(descriptor: ServeMetric.cardSeverity.descriptor, labels: labels).set(to: level)
        }
        withProfile(profile) { s in
            s.cards = cards
            s.takenAt = Date(timeIntervalSince1970: Double(served.takenAt.seconds))
        }
    }

    /// `pulse_pull_errors_total{profile,source}` goes up by one.
    func pullFailed(profile: String, source: String) {
        withProfile(profile) { s in
            let counter = s.pullErrors[source] ?? s.registry.makeCounter(descriptor: ServeMetric.pullErrors.descriptor, labels: [("profile", profile), ("source", source)])
            s.pullErrors[source] = counter
            counter.increment()
        }
    }

    /// Counts what a notification delivery did, per channel.
    func notified(profile: String, report: Dispatcher.Report) {
        withProfile(profile) { s in
            for (channel, count) in report.sent {
                let counter = s.notificationsSent[channel]
                    ?? s.registry.makeCounter(descriptor: ServeMetric.notificationsSent.descriptor, labels: [("profile", profile), ("channel", channel)])
                s.notificationsSent[channel] = counter
                counter.increment(by: Int64(count))
            }
            for channel in report.failedChannels {
                let counter = s.notificationFailures[channel]
                    ?? s.registry.makeCounter(descriptor: ServeMetric.notificationFailures.descriptor, labels: [("profile", profile), ("channel", channel)])
                s.notificationFailures[channel] = counter
                counter.increment()
            }
        }
    }

    /// The exposition text of `profile`'s series, as of now.
    func exposition(profile: String, now: Date = Date()) -> [UInt8] {
        withProfile(profile) { s in
            if let takenAt = s.takenAt { s.snapshotAge.set(to: max(0, now.timeIntervalSince(takenAt))) }
            var out: [UInt8] = []
            s.registry.emit(into: &out)
            s.cards.emit(into: &out)
            return out
        }
    }
}

extension ServeMetric {
    /// The README's table of the series, generated from the enum.
    static var readmeTable: String {
        "| series | labels | meaning |\n|---|---|---|\n"
            + allCases.map { m in
                let type = m == .evaluationSeconds ? " (histogram)" : [.pullErrors, .notificationsSent, .notificationFailures].contains(m) ? " (counter)" : ""
                return "| `\(m.name)`\(type) | \(m.labels.map { "`\($0)`" }.joined(separator: ", ")) | \(m.help) |\n"
            }.joined()
    }
}
