import PulseBench
import Foundation
import PulseConfig
import PulseEngine
import PulseExpressions
import PulseSnapshot
import Testing

/// A load that keeps only the fields the cards read must evaluate exactly like a full load.
@Suite struct FieldUseTests {
    static func compiled(_ yaml: String) throws -> CompiledCard {
        var set = ConfigSet()
        set.add(file: "cards/test/t.yaml", bytes: Array(yaml.utf8))
        return try CompiledCard.compile(try #require(set.cards.first)).get()
    }

    static func card(where condition: String, rows: String) -> String {
        """
        key: t
        title: T
        connector: aliexpress
        class: hero
        unit: count
        window: RT
        roles: [owner]
        from: skus
        where: '\(condition)'
        measure: count
        rows:
          \(rows)
        """
    }

    @Test func keepsWhatIsReadAndWholeRows() throws {
        let narrow = FieldUse.selection(for: [try Self.compiled(Self.card(where: "listing.title != null", rows: "at: bc.updated_at"))])
        #expect(narrow.keeps(ListingField.title) && narrow.keeps(StockField.updatedAt))
        #expect(!narrow.keeps(ListingField.createdAt) && !narrow.keeps(SKUField.price))
        #expect(narrow.keeps(ListingField.id) && narrow.keeps(ListingField.status), "fields that cannot be dropped stay")
        let whole = FieldUse.selection(for: [try Self.compiled(Self.card(where: "true", rows: "l: listing"))])
        #expect(whole.keeps(ListingField.createdAt) && whole.keeps(SKUField.price), "a whole listing keeps its fields and its SKUs'")
        let skus = FieldUse.selection(for: [try Self.compiled(Self.card(where: "listing.skus.exists(s, s.price > 1.0)", rows: "x: sku.code"))])
        #expect(skus.keeps(SKUField.price))
    }

    @Test func seedCardsGiveTheSameResultsFromAPartialLoad() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pulse-fields-\(UUID().uuidString)").path
        _ = try SnapshotGenerator(listings: 1500, seed: 5).write(to: dir)
        let set = try Harness.config()
        let profile = try ProfileResolver(profiles: set.profiles).resolve(try #require(set.profile("demo"))).get()
        let fields = try #require(ProfilePlan(cards: set.cards, profile: profile).fieldsRead())
        #expect(!fields.keeps(ListingField.title), "no seed card reads titles")
        let full = try SnapshotLoader.load(folder: dir), partial = try SnapshotLoader.load(folder: dir, fields: fields)
        #expect(partial.byteCount < full.byteCount)
        let a = try Evaluation.run(ProfilePlan(cards: set.cards, profile: profile), snapshot: full, now: full.takenAt).get()
        let b = try Evaluation.run(ProfilePlan(cards: set.cards, profile: profile), snapshot: partial, now: partial.takenAt).get()
        let json = ValueJSON()
        #expect(a.map(\.value) == b.map(\.value))
        #expect(a.map { $0.rows.cells.map(json.plain) } == b.map { $0.rows.cells.map(json.plain) })
        #expect(a.map { $0.breakdown?.map(\.label) ?? [] } == b.map { $0.breakdown?.map(\.label) ?? [] })
    }
}
