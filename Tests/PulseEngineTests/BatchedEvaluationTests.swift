import PulseBench
import Foundation
import PulseConfig
import PulseEngine
import PulseExpressions
import PulseSnapshot
import Testing

/// The batched evaluator (typed filters over many rows at once) must give exactly what the
/// row-by-row evaluator gives: values, breakdowns, worklists, error counts and error examples,
/// in the same order, across batch boundaries, nulls and rows whose expressions fail.
@Suite struct BatchedEvaluationTests {
    /// Ignores what it hears: passing it makes the evaluator go row by row.
    final class Silent: EvaluationObserver {
        func observe(_ row: RowContext, _ outcome: RowOutcome, trace: Trace) {}
    }

    /// A generated snapshot (more rows than a batch) plus rows that make expressions fail:
    /// a listing shipping nowhere, a SKU with no stock record, an event about an unknown listing.
    static let folder: String = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pulse-batched-\(UUID().uuidString)").path
        _ = try? SnapshotGenerator(listings: 2500, seed: 11).write(to: dir)
        func append(_ file: String, _ line: String) {
            if let h = FileHandle(forWritingAtPath: dir + "/" + file) {
                h.seekToEndOfFile()
                h.write(Data((line + "\n").utf8))
                h.closeFile()
            }
        }
        append("listings.jsonl", #"{"id": "X-1", "status": "active", "ship_to": [], "skus": [{"code": "NO-STOCK", "stock": 2}]}"#)
        append("listings.jsonl", "")
        append("listings.jsonl", #"{"id": "X-2", "status": "rejected", "skus": [], "updated_at": "2026-03-17T07:59:59.5Z"}"#)
        append("audit_events.jsonl", #"{"listing_id": "NOPE", "at": "2026-03-17T07:00:00Z", "to": "rejected", "reason": "ghost"}"#)
        return dir
    }()

    static func card(_ key: String, from: String, where condition: String, measure: String = "count", groupBy: String?,
                     rows: [String: String]) -> String {
        var text = """
            key: \(key)
            title: T
            connector: aliexpress
            class: hero
            unit: \(measure.hasPrefix("percent") ? "percent" : "count")
            window: RT
            roles: [owner]
            from: \(from)
            where: '\(condition)'
            measure: '\(measure)'

            """
        if let groupBy { text += "group_by: \(groupBy)\n" }
        if !rows.isEmpty { text += "rows:\n" + rows.sorted { $0.key < $1.key }.map { "  \($0.key): '\($0.value)'\n" }.joined() }
        return text
    }

    static let listingRows = ["id": "listing.id", "status": "listing.status", "gaps": "profile.priority_markets.filter(m, !(m in listing.ship_to))"]
    static let skuRows = ["sku": "sku.code", "bc": "bc.available", "listing": "listing.id"]
    static let eventRows = ["listing": "event.listing_id", "at": "event.at", "status": "listing.status"]

    static let cases: [(from: String, condition: String, measure: String, groupBy: String?)] = [
        ("listings", "listing.status == \"active\"", "count", "listing.status"),
        ("listings", "listing.status in [\"auditing\", \"rejected\"] || listing.buyable", "count", "listing.category_id"),
        ("listings", "!(listing.status == \"draft\") && size(listing.skus) > 1", "count_distinct(listing.freight_template_id)", nil),
        ("listings", "listing.updated_at > now - duration(\"48h\")", "count", "listing.status"),
        ("listings", "listing.ship_to[0] == \"US\"", "count", nil),
        ("listings", "listing.status == \"active\"", "percent(profile.priority_markets.all(m, m in listing.ship_to || m in listing.restricted_destinations))", nil),
        ("listings", "listing.status != \"draft\"", "percent(listing.ship_to[0] == \"US\")", "listing.status"),
        // Membership tests of a fixed list are keyed by the members a list holds; not when the
        // field is also read another way, or the range depends on the row.
        ("listings", "profile.priority_markets.all(m, m in listing.ship_to) && size(listing.ship_to) > 3", "count", nil),
        ("listings", "listing.ship_to.exists(m, m in listing.ship_to)", "count", nil),
        ("listings", "[\"US\", \"BR\", \"XX\"].exists(c, c in listing.ship_to && !(c in listing.restricted_destinations))",
         "percent([\"BR\", \"FR\"].exists_one(c, c in listing.ship_to))", nil),
        ("listings", "listing.category_id == null || listing.category_id.startsWith(\"2000001\")", "count", nil),
        ("listings", "listing.expires_at < now || listing.status == \"expired\"", "count", "listing.rejection_reason"),
        ("listings", "true", "sum(size(listing.skus))", "listing.status"),
        ("skus", "listing.status == \"active\" && sku.stock > 0 && bc != null && bc.tracking != \"none\" && bc.available <= 0", "count", nil),
        ("skus", "bc.available > 0", "count", "bc.tracking"),
        ("skus", "bc == null || bc.tracking == \"none\"", "count", nil),
        ("skus", "sku.stock > 0 && 10 / (sku.stock - 2) > 1", "sum(sku.stock)", "listing.status"),
        ("skus", "listing.status != \"active\" && bc != null && bc.purchasable", "count", nil),
        ("skus", "sku.stock >= 3 || bc.available < 0", "count_distinct(listing.id)", "bc.tracking"),
        ("skus", "!(bc.updated_at < now - duration(\"24h\"))", "count", nil),
        ("audit_events", "event.to == \"rejected\" && event.at > now - duration(\"24h\")", "count_distinct(event.listing_id)", "event.reason"),
        ("audit_events", "listing.status == \"rejected\"", "count", "event.to"),
        ("audit_events", "event.from == null || event.reason != null", "count", "event.from"),
    ]

    /// A store whose listings mostly miss a priority market, with lists of their own.
    static let coverageFolder: String = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pulse-batched-coverage-\(UUID().uuidString)").path
        var generator = SnapshotGenerator(listings: 3000, seed: 5)
        generator.coverage = 30
        _ = try? generator.write(to: dir)
        return dir
    }()

    @Test(arguments: [false, true])
    func batchedAndRowByRowAgree(coverageStore: Bool) throws {
        var set = try Harness.config()
        for (i, c) in Self.cases.enumerated() {
            let rows = c.from == "listings" ? Self.listingRows : c.from == "skus" ? Self.skuRows : Self.eventRows
            set.add(file: "cards/test/t\(i).yaml", bytes: Array(Self.card("t\(i)", from: c.from, where: c.condition, measure: c.measure,
                                                                          groupBy: c.groupBy, rows: rows).utf8))
        }
        let profile = try ProfileResolver(profiles: set.profiles).resolve(try #require(set.profile("demo"))).get()
        let snapshot = try SnapshotLoader.load(folder: coverageStore ? Self.coverageFolder : Self.folder)
        let evaluator = CardEvaluator(profile: profile, snapshot: snapshot, now: snapshot.takenAt)
        let json = ValueJSON()
        var errorsSeen = 0
        for (i, _) in Self.cases.enumerated() {
            let card = try #require(set.cards.first { $0.key.value == "t\(i)" })
            let compiled = try CompiledCard.compile(card).get()
            let settings = try CardSettings.resolve(card, profile: profile).get()
            let batched = evaluator.evaluate(compiled, settings: settings)
            // Explain's configuration: the observe decorator on the same plan, row by row.
            let single = evaluator.evaluate(try CompiledCard.compile(card, observing: true).get(), settings: settings, observer: Silent())
            let label = "case \(i): \(Self.cases[i].condition)"
            #expect(batched.value == single.value, "\(label)")
            #expect(batched.numerator == single.numerator && batched.denominator == single.denominator, "\(label)")
            #expect(batched.breakdown?.map(\.label) == single.breakdown?.map(\.label), "\(label)")
            #expect(batched.breakdown?.map(\.value) == single.breakdown?.map(\.value), "\(label)")
            #expect(batched.rows.count == single.rows.count, "\(label)")
            #expect(batched.rows.cells.map(json.plain) == single.rows.cells.map(json.plain), "\(label)")
            #expect(batched.errorCount == single.errorCount && batched.errorExamples == single.errorExamples, "\(label)")
            #expect(batched.rowsConsidered == single.rowsConsidered, "\(label)")
            errorsSeen += batched.errorCount
        }
        #expect(errorsSeen > 0 || coverageStore, "some cases must make rows fail, or errors are not tested")
    }
}
