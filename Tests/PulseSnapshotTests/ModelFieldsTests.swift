import Foundation
import PulseExpressions
import PulseSnapshot
import Testing

/// The field tables (``ListingField`` and the others) are the one place a model field is
/// declared: the tables' values, the object types expressions see and the README's field
/// table must all agree with them.
@Suite struct ModelFieldsTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Whether `value` is what `type` promises (`dyn` and element types are not looked into).
    private func fits(_ value: Value, _ type: CELType) -> Bool {
        switch (type, value) {
        case (.nullable, .null): return true
        case (.nullable(let inner), _): return fits(value, inner)
        case (.string, .string), (.int, .int), (.double, .double), (.bool, .bool), (.timestamp, .timestamp), (.list, .list): return true
        case (.object(let name), .row(let r)): return r.table.celTypeName == name
        default: return false
        }
    }

    private func check<Field: ModelField>(_ field: Field.Type, table: RowTable, rows: Int) {
        #expect(rows > 0, "the demo snapshot has \(Field.typeName) rows")
        #expect(table.celTypeName == Field.typeName)
        for f in Field.allCases {
            #expect(ModelTypes.all.first { $0.name == Field.typeName }?.index(of: f.name) == f.index, "\(Field.typeName).\(f.name) is at its case's position")
            for row in 0..<min(rows, 50) {
                let value = table.field(row, f.index)
                #expect(fits(value, f.declaration.type), "\(Field.typeName).\(f.name) row \(row): \(value.typeName) is not \(f.declaration.type)")
            }
        }
        #expect(table.field(0, Field.allCases.count).typeName == "null_type", "past the last field is null, not a trap")
    }

    @Test func everyFieldGivesItsDeclaredType() throws {
        let snapshot = try SnapshotLoader.load(folder: Self.root.appendingPathComponent("examples/demo").path)
        let listings = snapshot.listingTable
        check(ListingField.self, table: listings, rows: listings.count)
        check(SKUField.self, table: listings.skus, rows: listings.skus.count)
        check(StockField.self, table: snapshot.stockTable, rows: snapshot.stockTable.count)
        check(EventField.self, table: snapshot.eventTable, rows: snapshot.eventTable.count)
    }

    @Test func theReadmesFieldTableIsTheModel() throws {
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        func row(_ name: String) -> String? {
            readme.split(separator: "\n").first { $0.hasPrefix("| `\(name)` | ") }.map { String($0.dropFirst("| `\(name)` | ".count)) }
        }
        let tables: [(String, String)] = [
            (ListingField.typeName, ListingField.readmeList), (SKUField.typeName, SKUField.readmeList),
            (StockField.typeName, StockField.readmeList), (EventField.typeName, EventField.readmeList),
        ]
        for (name, list) in tables {
            let line = try #require(row(name), "README has a row for `\(name)`")
            #expect(line.hasPrefix(list), "README's `\(name)` row must start with: \(list)")
        }
    }

    @Test func droppableFieldsAreDeclaredOnTheirCases() {
        #expect(FieldSelection.droppable.contains("listing.title"))
        #expect(!FieldSelection.droppable.contains("listing.status"))
        #expect(FieldSelection.droppable == Set(ListingField.allCases.filter(\.droppable).map { "listing." + $0.name }
            + SKUField.allCases.filter(\.droppable).map { "sku." + $0.name } + StockField.allCases.filter(\.droppable).map { "bc." + $0.name }))
    }
}

/// The keys a snapshot file writes as text come from the field tables: a test fixture's plain
/// YAML scalar under one of them is a string.
@Suite struct SnapshotKeysTests {
    @Test func textKeysAreTheFilesStringKeys() {
        #expect(SnapshotKeys.text == [
            "id", "listing_id", "code", "sku", "category_id", "freight_template_id", "name", "reason", "title",
            "rejection_reason", "status", "to", "from", "tracking", "price", "ship_to", "countries",
        ])
    }

    @Test func everyFileKeyIsAFieldsKey() {
        #expect(ListingField.allCases.compactMap(\.key) == ["id", "title", "status", "category_id", "freight_template_id", "ship_to",
                                                           "created_at", "updated_at", "expires_at", "rejection_reason", "skus"])
        #expect(StockField.allCases.compactMap(\.key) == ["sku", "available", "tracking", "purchasable", "updated_at"])
    }
}
