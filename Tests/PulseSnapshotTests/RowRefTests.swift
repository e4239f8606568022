import Foundation
import PulseExpressions
import Testing
@testable import PulseSnapshot

/// Row values hold their table: they stay readable after the snapshot they came from is gone
/// (`make test-asan` would report a read of freed memory).
@Suite struct RowRefTests {
    @Test func aRowValueOutlivesItsSnapshot() throws {
        let folder = ModelFieldsTests.root.appendingPathComponent("examples/demo").path
        var snapshot: Snapshot? = try SnapshotLoader.load(folder: folder)
        let first = try #require(snapshot?.listings.first)
        let id = first.id
        let listing = first.value
        let sku = try #require(first.skus.first).value
        snapshot = nil
        guard case .row(let row) = listing, case .row(let skuRow) = sku else {
            Issue.record("a listing is a row value")
            return
        }
        #expect(row.field(ListingField.id.index).typeName == "string")
        if case .string(let read) = row.field(ListingField.id.index) { #expect(read == id) }
        #expect(skuRow.table.celTypeName == "sku")
        if case .list(let skus) = row.field(ListingField.skus.index) { #expect(!skus.isEmpty) }
    }
}
