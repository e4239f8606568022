import PulseConfig
import PulseEngine
import PulseExpressions
import PulseSnapshot

/// The five seed cards written by hand in Swift over the same in-memory model: the yardstick
/// the generic evaluator is measured against in `pulse bench`, and a cross-check of its
/// results. Each card computes what the generic evaluator does for it (value, breakdown and
/// worklist), with the seed cards' default params.
public enum HandWrittenBaseline {
    /// One card's result.
    public struct CardOutput: Sendable {
        /// The value (a percent as 0-100; nil for a percent over no rows).
        public var value: Double?
        /// Label -> value, for cards with `group_by`.
        public var breakdown: [String: Double]?
        /// The worklist's cells, row after row, in the card's column order.
        public var cells: [Value] = []
    }

    /// The seed cards' results for `profile` at `now`, by card key.
    public static func evaluate(_ snapshot: Snapshot, profile: ResolvedProfile, now: CELTimestamp) -> [String: CardOutput] {
        [
            "aex_rejected_auditing_listings": rejectedAndAuditing(snapshot),
            "aex_rejected_listings_24h": rejectedInWindow(snapshot, now: now),
            "aex_ship_to_country_coverage": coverage(snapshot, markets: profile.priorityMarkets),
            "aex_total_listings": total(snapshot),
            "aex_xc_listed_but_oos_on_bc": outOfStock(snapshot, profile: profile),
        ]
    }

    static func rejectedAndAuditing(_ snapshot: Snapshot) -> CardOutput {
        var out = CardOutput(value: 0, breakdown: [:])
        var count = 0
        for listing in snapshot.listings where listing.status == .auditing || listing.status == .rejected {
            count += 1
            out.breakdown?[listing.status.rawValue, default: 0] += 1
            out.cells.append(.string(listing.id))
            out.cells.append(.string(listing.status.rawValue))
            out.cells.append(listing.rejectionReason.map(Value.string) ?? .null)
        }
        out.value = Double(count)
        return out
    }

    static func rejectedInWindow(_ snapshot: Snapshot, now: CELTimestamp) -> CardOutput {
        var out = CardOutput(breakdown: [:])
        let from = CELTimestamp(seconds: now.seconds - 86_400, nanos: now.nanos) ?? now
        var listings = Set<String>()
        var byReason: [String: Set<String>] = [:]
        for event in snapshot.auditEvents where event.to == .rejected && event.at > from && event.at <= now {
            let id = event.listingID
            listings.insert(id)
            byReason[event.reason ?? "(none)", default: []].insert(id)
            out.cells.append(.string(id))
            out.cells.append(event.reason.map(Value.string) ?? .null)
            out.cells.append(.timestamp(event.at))
        }
        out.value = Double(listings.count)
        out.breakdown = byReason.mapValues { Double($0.count) }
        return out
    }

    static func coverage(_ snapshot: Snapshot, markets: [String]) -> CardOutput {
        var out = CardOutput()
        var active = 0, covered = 0
        for listing in snapshot.listings where listing.status == .active {
            active += 1
            let shipTo = listing.shipTo, restricted = listing.restrictedDestinations
            let missing = markets.filter { !shipTo.contains($0) && !restricted.contains($0) }
            if missing.isEmpty {
                covered += 1
            } else {
                out.cells.append(.string(listing.id))
                out.cells.append(.list(missing.map(Value.string)))
            }
        }
        out.value = active == 0 ? nil : 100 * Double(covered) / Double(active)
        return out
    }

    static func total(_ snapshot: Snapshot) -> CardOutput {
        var out = CardOutput(breakdown: [:])
        var count = 0
        for listing in snapshot.listings where listing.status != .draft {
            count += 1
            out.breakdown?[listing.status.rawValue, default: 0] += 1
        }
        out.value = Double(count)
        return out
    }

    static func outOfStock(_ snapshot: Snapshot, profile: ResolvedProfile) -> CardOutput {
        var out = CardOutput()
        let buffer = Set(profile.bufferSkus), separate = Set(profile.separateFulfilmentSkus)
        var count = 0
        for listing in snapshot.listings where listing.status == .active {
            for sku in listing.skus where sku.stock > 0 {
                guard let bc = sku.stockRecord, bc.tracking != .none, bc.available <= 0 else { continue }
                let code = sku.code
                guard !buffer.contains(code), !separate.contains(code) else { continue }
                count += 1
                out.cells.append(.string(listing.id))
                out.cells.append(.string(code))
                out.cells.append(.int(bc.available))
                out.cells.append(bc.updatedAt.map(Value.timestamp) ?? .null)
            }
        }
        out.value = Double(count)
        return out
    }

    /// What differs between the generic evaluator's `results` and the hand-written `outputs`
    /// (empty when they agree on every value, breakdown and worklist cell).
    public static func differences(_ results: [String: CardResult], _ outputs: [String: CardOutput]) -> [String] {
        let json = ValueJSON()
        var out: [String] = []
        for (key, expected) in outputs.sorted(by: { $0.key < $1.key }) {
            guard let r = results[key] else { out.append("\(key): not evaluated"); continue }
            if r.value != expected.value { out.append("\(key): value \(String(describing: r.value)) vs \(String(describing: expected.value))") }
            let breakdown = r.breakdown.map { Dictionary($0.map { ($0.label, $0.value ?? .nan) }, uniquingKeysWith: { a, _ in a }) }
            if breakdown != expected.breakdown { out.append("\(key): breakdown differs") }
            if r.rows.cells.count != expected.cells.count || !zip(r.rows.cells, expected.cells).allSatisfy({ json.plain($0) == json.plain($1) }) {
                out.append("\(key): worklist differs (\(r.rows.count) rows)")
            }
        }
        return out
    }
}
