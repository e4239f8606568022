import PulseBench
import Foundation
import Testing
@testable import PulseSnapshot

/// The fast row scanner must agree with the general decoder on every row it accepts, and hand
/// everything unusual to the general path.
@Suite struct FastPathTests {
    private static let noStock = StockTable(columns: StockColumns(), index: KeyIndex(capacity: 0))

    private func context(templates: [(id: String, countries: [String])] = [("FT-1", ["US"])]) -> (ListingContext, CountryLists) {
        var lists = CountryLists(), restrictions = CountryLists()
        let context = ListingContext(templates: templates, restrictions: [], stock: Self.noStock, checkTemplates: true, lists: &lists,
                                     restrictionLists: &restrictions)
        return (context, lists)
    }

    /// Row `row` of a batch, every column written out.
    private func describe(_ b: ListingBatch, _ row: Int, _ lists: CountryLists) -> String {
        let c = b.columns
        let skus = (row == 0 ? 0 : Int(c.skuEnds[row - 1]))..<Int(c.skuEnds[row])
        var own = "nil"
        if c.ownShipTo[row] >= 0 {
            switch b.ownLists[Int(c.ownShipTo[row])] {
            case .packed(let codes): own = "\(codes.codes)"
            case .strings(let list): own = "\(list)"
            }
        }
        return [c.ids.string(row), c.titles.string(row), "\(c.statuses[row])", c.categoryIDs.string(row), c.templateIDs.string(row),
                own, "\(lists[c.shipTo[row]] ?? [])", "\(c.restricted[row])", "\(c.createdAt[row].map(\.description) ?? "-")",
                "\(c.updatedAt[row].map(\.description) ?? "-")", "\(c.expiresAt[row].map(\.description) ?? "-")", c.reasons.string(row),
                skus.map { "\(c.skus.codes.nonNull($0)):\(c.skus.stocks[$0]):\(c.skus.prices.string($0) ?? "-"):\(c.skus.stockRows[$0])" }.joined(separator: ","),
                "\(c.lines[row])"].map { $0 ?? "null" }.joined(separator: "|")
    }

    private func fast(_ line: String) -> ListingBatch? {
        let (context, _) = context()
        var batch = ListingBatch()
        let ok = Array(line.utf8).withUnsafeBufferPointer { FastRowScanner.listing($0, line: 1, context, into: &batch) }
        #expect(ok || batch.columns.count == 0 && batch.columns.skus.count == 0, "a refused row leaves nothing behind")
        return ok ? batch : nil
    }

    @Test func generatedRowsDecodeTheSameBothWays() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pulse-fast-\(UUID().uuidString)").path
        _ = try SnapshotGenerator(listings: 500, seed: 3).write(to: dir)
        let lines = try String(contentsOfFile: dir + "/listings.jsonl", encoding: .utf8).split(separator: "\n")
        var templates: [(id: String, countries: [String])] = []
        for line in try String(contentsOfFile: dir + "/freight_templates.jsonl", encoding: .utf8).split(separator: "\n") {
            if case .object(let m)? = try? JSONParser.parse(Array(line.utf8)), case .string(let id)? = m.first(where: { $0.key == "id" })?.value,
               case .array(let cs)? = m.first(where: { $0.key == "countries" })?.value {
                templates.append((id, cs.compactMap { if case .string(let c) = $0 { return c } else { return nil } }))
            }
        }
        let (context, lists) = context(templates: templates)
        var quick = ListingBatch(), slow = ListingBatch()
        for (n, line) in lines.enumerated() {
            let bytes = Array(line.utf8)
            let accepted = bytes.withUnsafeBufferPointer { FastRowScanner.listing($0, line: n + 1, context, into: &quick) }
            #expect(accepted, "line \(n + 1)")
            bytes.withUnsafeBufferPointer { slow.decodeGeneral($0, line: n + 1, context: context) }
        }
        #expect(quick.columns.count == lines.count && slow.columns.count == lines.count && slow.keys.refused.isEmpty)
        #expect(quick.keys.hashes == slow.keys.hashes)
        for row in 0..<min(quick.columns.count, slow.columns.count) {
            #expect(describe(quick, row, lists) == describe(slow, row, lists))
        }
    }

    @Test(arguments: [
        #"{"id": "L1", "status": "active", "skus": [], "extra": 1}"#,          // unknown key
        #"{"id": "L1", "id": "L2", "status": "active", "skus": []}"#,          // repeated key
        #"{"id": "L\u0031", "status": "active", "skus": []}"#,                 // escape
        #"{"id": "Lé", "status": "active", "skus": []}"#,                      // non-ASCII
        #"{"id": "L1", "status": "live", "skus": []}"#,                        // unknown status
        #"{"id": "L1", "status": "active", "skus": [{"code": "A", "stock": -1}]}"#,
        #"{"id": "L1", "status": "active", "skus": [{"code": "A", "stock": 1.0}]}"#,
        #"{"id": "L1", "status": "active", "skus": [{"code": "A", "stock": 1, "price": "cheap"}]}"#,
        #"{"id": "L1", "status": "active", "skus": [], "updated_at": "yesterday"}"#,
        #"{"id": "L1", "status": "active", "freight_template_id": "NOPE", "skus": []}"#,
        #"{"id": "L1", "status": "active"}"#,
        #"{"id": "L1", "status": "active", "skus": []} x"#,
        #"{"id": "", "status": "active", "skus": []}"#,
        #"{"id": "L1", "status": "active", "skus": [{"code": "A", "stock": 1}, {"code": "B"}]}"#,  // second SKU bad: nothing kept
        #"{"id": "ABCDEFGHIJKLMNOP\u0031", "status": "active", "skus": []}"#,  // an escape past the first eight bytes
        #"{"id": "ABCDEFGHIJKLMNOé", "status": "active", "skus": []}"#,        // non-ASCII past the first eight bytes
        "{\"id\": \"ABCDEFGH\tIJ\", \"status\": \"active\", \"skus\": []}",  // a control character
    ])
    func unusualRowsTakeTheGeneralPath(_ line: String) {
        #expect(fast(line) == nil)
    }

    /// Own ship-to lists of up to 18 two-letter codes are packed without building strings; the
    /// rest are read as strings; both give what the general decoder gives.
    @Test(arguments: [#"["US", "GB"]"#, #"[ "US" ,"GB" ]"#, "[]", #"["ZZ","AA","MM","QQ","BB","CC"]"#, #"["US","GB","DE","FR","BR","ES","IT"]"#,
                      #"["US","GB","DE","FR","BR","ES","IT","PL","SE","AU","MX","JP","CA","NL","BE","AT","AA","ZZ"]"#,
                      #"["US","GB","DE","FR","BR","ES","IT","PL","SE","AU","MX","JP","CA","NL","BE","AT","AA","ZZ","CH"]"#,
                      #"["us"]"#, #"["USA"]"#, #"["U\u0053"]"#, #"["É1"]"#, #"["US","US"]"#])
    func ownShipToListsDecodeTheSameBothWays(_ list: String) throws {
        let line = #"{"id": "L1", "status": "active", "ship_to": "# + list + #", "skus": []}"#
        let (context, lists) = context()
        var slow = ListingBatch()
        Array(line.utf8).withUnsafeBufferPointer { slow.decodeGeneral($0, line: 1, context: context) }
        #expect(slow.columns.count == 1)
        if let quick = fast(line) {
            #expect(describe(quick, 0, lists) == describe(slow, 0, lists))
        }
        let general = describe(slow, 0, lists)
        let expected = try JSONSerialization.jsonObject(with: Data(list.utf8)) as? [String]
        #expect(general.contains("\(expected ?? [])"), "\(general)")
    }

    @Test func plainRowIsAccepted() throws {
        let (_, lists) = context()
        let batch = try #require(fast(#"{"id": "L1", "status": "active", "title": null, "freight_template_id": "FT-1", "skus": [{"code": "A", "stock": 2, "price": "9.99"}]}"#))
        #expect(lists[batch.columns.shipTo[0]] == ["US"])
        #expect(batch.columns.skus.prices.string(0) == "9.99")
        #expect(batch.columns.titles.isNull(0))
    }

    @Test(arguments: ["ABCDEFG", "ABCDEFGH", "ABCDEFGHIJKLMNOP", "ABCDEFGHIJKLMNOPQ", "with space and . - punctuation!"])
    func stringsOfEveryLengthAreRead(_ id: String) throws {
        let batch = try #require(fast(#"{"id": "\#(id)", "status": "active", "skus": []}"#))
        #expect(batch.columns.ids.string(0) == id)
    }

    @Test(arguments: ["49.99", "-3", "1", "0.5", "7."])
    func decimalsTheFastPathTakes(_ text: String) {
        #expect(Array(text.utf8).withUnsafeBufferPointer(FastRowScanner.isDecimal) && Double(text) != nil)
    }
}
