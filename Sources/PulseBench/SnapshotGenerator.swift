import PulseExpressions
import PulseSnapshot
import Foundation

/// Writes a realistic synthetic snapshot (format v1) of any size, deterministic for a seed: a
/// status mix like a real store, 1 to 4 SKUs a listing, BigCommerce stock with a few percent at
/// zero and some untracked, 72 hours of audit events with reasons, freight templates over about
/// 15 countries and category restrictions. The merchant SKU `SKU-BUFFER` is sold past zero on
/// purpose (the benchmark profile whitelists it).
public struct SnapshotGenerator {
    /// Listings to write.
    public var listings: Int
    /// The random seed.
    public var seed: UInt64
    /// When the snapshot was taken.
    public var takenAt = "2026-03-17T08:00:00Z"
    /// With a value: the percent of listings that keep their freight template's destinations
    /// (nearly all of which cover the five priority markets US, GB, DE, FR and BR); every other
    /// listing gets its own `ship_to`, a random subset of the countries that misses at least one
    /// priority market. A store unlike the default one: most listings fail the coverage card, its
    /// worklist is long, and `ship_to` takes thousands of distinct values. Nil: the default store.
    public var coverage: Int?

    /// A generator of `listings` listings from `seed`.
    public init(listings: Int, seed: UInt64) {
        self.listings = listings
        self.seed = seed
    }

    /// What was written.
    public struct Summary: Sendable {
        public let listings: Int
        public let skus: Int
        public let events: Int
        public let bytes: Int
    }

    static let countries = ["US", "GB", "DE", "FR", "BR", "ES", "IT", "NL", "PL", "SE", "CA", "AU", "MX", "KR", "JP"]
    static let reasons = ["missing_brand_attribute", "image_quality", "prohibited_keyword", "category_mismatch", "price_anomaly"]
    static let products = ["TENT", "BAG", "MAT", "LAMP", "STOVE", "POLE", "PACK", "JACKET", "BOOT", "ROPE"]

    /// Writes the snapshot into `folder` (created if needed).
    public func write(to folder: String) throws -> Summary {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var rng = SeededRandom(seed: seed)
        let base: Int64 = 1_773_734_400  // 2026-03-17T08:00:00Z
        // Every generated time is a whole second after 2026: CELTimestamp writes it as RFC 3339.
        func iso(_ seconds: Int64) -> String { CELTimestamp(checkedSeconds: seconds, nanos: 0).description }

        // Freight templates: tens of them over ~15 countries; a few drop a priority market.
        var templates: [(String, [String])] = []
        for t in 0..<40 {
            var countries = Array(SnapshotGenerator.countries.prefix(5 + t % 10))
            if t % 9 == 4 { countries.removeAll { $0 == "BR" } }
            if t % 13 == 6 { countries.removeAll { $0 == "US" } }
            templates.append(("FT-\(t)", countries))
        }
        let categories = (0..<200).map { "2000\(String(format: "%05d", $0))" }
        let restricted = Set(categories.enumerated().filter { $0.offset % 25 == 3 }.map(\.element))

        var listingOut = BufferedWriter(path: folder + "/listings.jsonl")
        var stockOut = BufferedWriter(path: folder + "/stock.jsonl")
        var eventOut = BufferedWriter(path: folder + "/audit_events.jsonl")
        var skuCount = 0
        var eventCount = 0
        for n in 0..<listings {
            let roll = rng.next(10_000)
            let status = roll < 8_900 ? "active" : roll < 9_600 ? "auditing" : roll < 9_850 ? "rejected" : roll < 9_950 ? "expired"
                : roll < 9_980 ? "offline" : "draft"
            let id = String(1_005_006_000_000_000 + n * 7)
            let category = categories[rng.next(categories.count)]
            let template = templates[rng.next(templates.count)].0
            let product = SnapshotGenerator.products[rng.next(SnapshotGenerator.products.count)]
            let skuTotal = 1 + [0, 0, 0, 1, 1, 2, 3][rng.next(7)]
            var skus: [String] = []
            for k in 0..<skuTotal {
                let code = n == 7 && k == 0 ? "SKU-BUFFER" : "\(product)-\(n)-\(k)"
                let stock = [0, 2, 5, 12, 20, 40, 80][rng.next(7)]
                skus.append("{\"code\": \"\(code)\", \"stock\": \(stock), \"price\": \"\(9 + rng.next(190)).99\"}")
                // BigCommerce: ~3% at zero, ~1% negative, ~5% untracked, ~1% with no record.
                let b = rng.next(1_000)
                if b < 10 && code != "SKU-BUFFER" { skuCount += 1; continue }
                let available = code == "SKU-BUFFER" ? 0 : b < 40 ? 0 : b < 50 ? -(1 + rng.next(3)) : 1 + rng.next(200)
                let tracking = b >= 950 ? "none" : b >= 700 ? "product" : "variant"
                stockOut.line("{\"sku\": \"\(code)\", \"available\": \(available), \"tracking\": \"\(tracking)\", \"purchasable\": true, \"updated_at\": \"\(iso(base - Int64(rng.next(400_000))))\"}")
                skuCount += 1
            }
            var shipTo = n % 97 == 11 ? "[\"US\", \"GB\", \"DE\", \"FR\", \"BR\"]" : "null"
            if let coverage, rng.next(100) >= coverage {
                let missing = SnapshotGenerator.countries[rng.next(5)]  // the first five are the priority markets
                let own = SnapshotGenerator.countries.filter { $0 != missing && rng.next(2) == 0 }
                shipTo = "[" + own.map { "\"\($0)\"" }.joined(separator: ", ") + "]"
            }
            let reason = status == "rejected" ? "\"\(SnapshotGenerator.reasons[rng.next(SnapshotGenerator.reasons.count)])\"" : "null"
            listingOut.line("{\"id\": \"\(id)\", \"title\": \"\(product.capitalized) \(n)\", \"status\": \"\(status)\", \"category_id\": \"\(category)\", "
                + "\"freight_template_id\": \"\(template)\", \"ship_to\": \(shipTo), \"created_at\": \"\(iso(base - 86_400 * Int64(30 + rng.next(400))))\", "
                + "\"updated_at\": \"\(iso(base - Int64(rng.next(2_000_000))))\", \"expires_at\": \"\(iso(base + 86_400 * Int64(10 + rng.next(200))))\", "
                + "\"rejection_reason\": \(reason), \"skus\": [\(skus.joined(separator: ", "))]}")
            // Audit events over the last 72 hours.
            if status == "auditing" || status == "rejected" || rng.next(100) < 3 {
                let at = base - Int64(rng.next(72 * 3600))
                eventOut.line("{\"listing_id\": \"\(id)\", \"at\": \"\(iso(at))\", \"from\": \"draft\", \"to\": \"auditing\"}")
                eventCount += 1
                if status == "rejected" {
                    let r = SnapshotGenerator.reasons[rng.next(SnapshotGenerator.reasons.count)]
                    eventOut.line("{\"listing_id\": \"\(id)\", \"at\": \"\(iso(min(base, at + Int64(rng.next(3600 * 6)))))\", \"from\": \"auditing\", \"to\": \"rejected\", \"reason\": \"\(r)\"}")
                    eventCount += 1
                }
            }
        }
        var bytes = try listingOut.finish() + stockOut.finish() + eventOut.finish()
        var templateOut = BufferedWriter(path: folder + "/freight_templates.jsonl")
        for (id, countries) in templates {
            templateOut.line("{\"id\": \"\(id)\", \"name\": \"Template \(id)\", \"countries\": [\(countries.map { "\"\($0)\"" }.joined(separator: ", "))]}")
        }
        bytes += try templateOut.finish()
        var restrictionOut = BufferedWriter(path: folder + "/category_restrictions.jsonl")
        for category in restricted.sorted() { restrictionOut.line("{\"category_id\": \"\(category)\", \"countries\": [\"BR\"]}") }
        bytes += try restrictionOut.finish()
        try Data("{\"format\": 1, \"store\": \"generated-\(seed)\", \"taken_at\": \"\(takenAt)\"}\n".utf8).write(to: URL(fileURLWithPath: folder + "/snapshot.json"))
        return Summary(listings: listings, skus: skuCount, events: eventCount, bytes: bytes)
    }
}

/// SplitMix64: small, fast and the same on every machine (the generator's, and the property tests').
package struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    package init(seed: UInt64) { state = seed }
    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// A number in 0..<bound.
    package mutating func next(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}

/// Appends lines to a file through a large buffer.
struct BufferedWriter {
    private let handle: FileHandle?
    private var buffer: [UInt8] = []
    private var written = 0
    private let path: String

    init(path: String) {
        self.path = path
        _ = FileManager.default.createFile(atPath: path, contents: nil)  // a failure shows as a nil handle, reported by finish()
        handle = FileHandle(forWritingAtPath: path)
        buffer.reserveCapacity(1 << 20)
    }

    mutating func line(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        buffer.append(0x0A)
        if buffer.count >= 1 << 20 { flush() }
    }

    private mutating func flush() {
        handle?.write(Data(buffer))
        written += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }

    mutating func finish() throws -> Int {
        guard let handle else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path]) }
        flush()
        try handle.close()
        return written
    }
}
