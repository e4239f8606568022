import PulseConfig
import PulseExpressions
import PulseSnapshot

/// The five seed cards written by hand in Swift over the same in-memory model: the yardstick
/// the generic evaluator is measured against in `pulse bench` (and a cross-check of its numbers).
public enum HandWrittenBaseline {
    /// The seed cards' values (coverage as 0-100, nil over no active listings).
    public struct Values: Sendable, Equatable {
        public var oos = 0
        public var total = 0
        public var totalByStatus: [String: Int] = [:]
        public var rejected24h = 0
        public var rejectedAuditing = 0
        public var coverage: Double?

        /// All zero.
        public init() {}
    }

    /// Computes the five values for `profile` at `now` (24h window, drafts excluded).
    public static func evaluate(_ snapshot: Snapshot, profile: ResolvedProfile, now: CELTimestamp) -> Values {
        var v = Values()
        let buffer = Set(profile.bufferSkus), separate = Set(profile.separateFulfilmentSkus)
        let markets = profile.priorityMarkets
        var covered = 0, active = 0
        for listing in snapshot.listings {
            if listing.status != .draft {
                v.total += 1
                v.totalByStatus[listing.status.rawValue, default: 0] += 1
            }
            if listing.status == .auditing || listing.status == .rejected { v.rejectedAuditing += 1 }
            guard listing.status == .active else { continue }
            active += 1
            for sku in listing.skus where sku.stock > 0 {
                guard let bc = sku.stockRecord, bc.tracking != .none, bc.available <= 0,
                      !buffer.contains(sku.code), !separate.contains(sku.code) else { continue }
                v.oos += 1
            }
            if markets.allSatisfy({ listing.shipTo.contains($0) || listing.restrictedDestinations.contains($0) }) { covered += 1 }
        }
        v.coverage = active == 0 ? nil : 100 * Double(covered) / Double(active)
        let from = CELTimestamp(seconds: now.seconds - 86_400, nanos: now.nanos) ?? now
        var rejected = Set<String>()
        for event in snapshot.auditEvents where event.to == .rejected && event.at > from && event.at <= now {
            rejected.insert(event.listingID)
        }
        v.rejected24h = rejected.count
        return v
    }
}
