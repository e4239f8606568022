import Foundation
import Testing
@testable import PulseSnapshot

/// The fast row scanner must agree with the general decoder on every row it accepts, and hand
/// everything unusual to the general path.
@Suite struct FastPathTests {
    private func context(_ stock: [String: StockRecord] = [:]) -> SnapshotLoader.ListingContext {
        SnapshotLoader.ListingContext(templateCountries: ["FT-1": ["US"]], restrictions: [:], stock: stock, checkTemplates: true)
    }

    private func fast(_ line: String) -> SnapshotLoader.ListingRow? {
        Array(line.utf8).withUnsafeBufferPointer { FastRowScanner.listing($0, context()) }
    }

    @Test func generatedRowsDecodeTheSameBothWays() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pulse-fast-\(UUID().uuidString)").path
        _ = try SnapshotGenerator(listings: 500, seed: 3).write(to: dir)
        let lines = try String(contentsOfFile: dir + "/listings.jsonl", encoding: .utf8).split(separator: "\n")
        var templates: [String: [String]] = [:]
        for line in try String(contentsOfFile: dir + "/freight_templates.jsonl", encoding: .utf8).split(separator: "\n") {
            if case .object(let m)? = try? JSONParser.parse(Array(line.utf8)), case .string(let id)? = m.first(where: { $0.key == "id" })?.value,
               case .array(let cs)? = m.first(where: { $0.key == "countries" })?.value {
                templates[id] = cs.compactMap { if case .string(let c) = $0 { return c } else { return nil } }
            }
        }
        let context = SnapshotLoader.ListingContext(templateCountries: templates, restrictions: [:], stock: [:], checkTemplates: true)
        var accepted = 0
        for line in lines {
            let bytes = Array(line.utf8)
            guard let quick = bytes.withUnsafeBufferPointer({ FastRowScanner.listing($0, context) }) else { continue }
            accepted += 1
            guard case .object(let members) = try JSONParser.parse(bytes) else { Issue.record("not an object"); continue }
            let slow = SnapshotLoader.ListingRow(members, context)
            let a = try #require(quick.listing), b = try #require(slow.listing)
            #expect(a.id == b.id && a.status == b.status && a.title == b.title && a.categoryID == b.categoryID)
            #expect(a.freightTemplateID == b.freightTemplateID && a.ownShipTo == b.ownShipTo && a.shipTo == b.shipTo)
            #expect(a.createdAt == b.createdAt && a.updatedAt == b.updatedAt && a.expiresAt == b.expiresAt && a.rejectionReason == b.rejectionReason)
            #expect(a.skus.map(\.code) == b.skus.map(\.code) && a.skus.map(\.stock) == b.skus.map(\.stock) && a.skus.map(\.price) == b.skus.map(\.price))
        }
        #expect(accepted == lines.count)
    }

    @Test(arguments: [
        #"{"id": "L1", "status": "active", "skus": [], "extra": 1}"#,          // unknown key
        #"{"id": "L1", "id": "L2", "status": "active", "skus": []}"#,          // repeated key
        #"{"id": "L\u0031", "status": "active", "skus": []}"#,                 // escape
        #"{"id": "Lé", "status": "active", "skus": []}"#,                      // non-ASCII
        #"{"id": "L1", "status": "live", "skus": []}"#,                        // unknown status
        #"{"id": "L1", "status": "active", "skus": [{"code": "A", "stock": -1}]}"#,
        #"{"id": "L1", "status": "active", "skus": [{"code": "A", "stock": 1.0}]}"#,
        #"{"id": "L1", "status": "active", "skus": [], "updated_at": "yesterday"}"#,
        #"{"id": "L1", "status": "active", "freight_template_id": "NOPE", "skus": []}"#,
        #"{"id": "L1", "status": "active"}"#,
        #"{"id": "L1", "status": "active", "skus": []} x"#,
        #"{"id": "", "status": "active", "skus": []}"#,
    ])
    func unusualRowsTakeTheGeneralPath(_ line: String) {
        #expect(fast(line) == nil)
    }

    @Test func plainRowIsAccepted() {
        let row = fast(#"{"id": "L1", "status": "active", "title": null, "freight_template_id": "FT-1", "skus": [{"code": "A", "stock": 2, "price": "9.99"}]}"#)
        #expect(row?.listing?.shipTo == ["US"])
        #expect(row?.listing?.skus.first?.price == "9.99")
    }
}
