import Foundation
@testable import PulseConnectors
@testable import PulseFakeVendors
import Testing

/// `pulse import bigcommerce-csv`: BigCommerce's product export (the Bulk Edit template).
@Suite("pulse import bigcommerce-csv")
struct CSVImportTests {
    static let header = "Item Type,Product ID,Product Name,Product Type,Product Code/SKU,Product Description,Allow Purchases?,Track Inventory,Current Stock Level,Low Stock Level"

    func importing(_ text: String) throws -> (rows: [String]?, error: String?, folder: URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pulse-csv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let csv = folder.appendingPathComponent("products.csv")
        try Data(text.utf8).write(to: csv)
        do throws(PullError) {
            _ = try BigCommerceCSVImport.run(csv: csv.path, out: folder.appendingPathComponent("snap").path)
        } catch {
            return (nil, error.description.replacingOccurrences(of: csv.path, with: "products.csv"), folder)
        }
        let written = try String(contentsOf: folder.appendingPathComponent("snap/stock.jsonl"), encoding: .utf8)
        return (written.split(separator: "\n").map(String.init), nil, folder)
    }

    @Test("an Excel export: byte-order mark, CRLF, quotes doubled and line breaks inside quoted cells, variant rows, images skipped")
    func excelExport() throws {
        let text = "\u{FEFF}" + Self.header + "\r\n"
            + "Product,101,\"Tent, 2-person\",P,TENT-2P,\"Sleeps two.\r\nSays \"\"waterproof\"\".\",Y,by option,0,2\r\n"
            + "SKU,,[S]Colour=Green,,TENT-2P-GRN,,,,0,\r\n"
            + "SKU,,[S]Colour=Blue,,TENT-2P-BLU,,,,7,\r\n"
            + "Image,,,,,,,,,\r\n"
            + "Product,102,Mug,P,MUG-1,Enamel,N,by product,12,1\r\n"
            + "Product,103,Gift card,P,GIFT,,Y,none,,\r\n"
        let (rows, error, folder) = try importing(text)
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(error == nil, "\(error ?? "")")
        #expect(rows == [
            #"{"sku":"TENT-2P-GRN","available":0,"tracking":"variant","purchasable":true}"#,
            #"{"sku":"TENT-2P-BLU","available":7,"tracking":"variant","purchasable":true}"#,
            #"{"sku":"MUG-1","available":12,"tracking":"product","purchasable":false}"#,
            #"{"sku":"GIFT","available":0,"tracking":"none","purchasable":true}"#,
        ])
    }

    @Test("the control panel's current export (Item, SKU, Inventory Tracking, Current Stock): products, variants, purchasability")
    func currentExport() throws {
        let text = "Item,ID,Name,Type,SKU,Options,Inventory Tracking,Current Stock,Low Stock,Purchasability\r\n"
            + "Product,1,Mug,physical,MUG,,product,7,2,available\r\n"
            + "Product,2,\"Tent, 2 person\",physical,TENT,,variant,,,disabled\r\n"
            + "Variant,,,,TENT-GRN,Color=Green,,3,,\r\n"
            + "Variant,,,,TENT-RED,Color=Red,,0,,\r\n"
            + "Image,,,,,,,,,\r\n"
            + "Product,3,Gift card,digital,GIFT,,none,,,available\r\n"
        let (rows, error, folder) = try importing(text)
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(error == nil, "\(error ?? "")")
        #expect(rows == [
            #"{"sku":"MUG","available":7,"tracking":"product","purchasable":true}"#,
            #"{"sku":"TENT-GRN","available":3,"tracking":"variant","purchasable":false}"#,
            #"{"sku":"TENT-RED","available":0,"tracking":"variant","purchasable":false}"#,
            #"{"sku":"GIFT","available":0,"tracking":"none","purchasable":true}"#,
        ])
    }

    @Test("an unknown layout is reported by its header line, naming what each layout Pulse reads lacks")
    func unknownLayout() throws {
        let (rows, error, folder) = try importing("Item,ID,Name,Type,SKU,Inventory Tracking\nProduct,1,Mug,physical,MUG,none\n")
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(rows == nil)
        #expect(error == #"products.csv:1: not a BigCommerce product export: the header "Item,ID,Name,Type,SKU,Inventory Tracking" has no stock columns of a layout Pulse reads (the current product export (Products > Export) also needs "Current Stock"; the Bulk Edit template also needs "Item Type", "Product Code/SKU", "Track Inventory", "Current Stock Level")"#, "\(error ?? "")")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("snap/stock.jsonl").path), "nothing written")
    }

    @Test("bad rows are named by line: a stock level that is not a number, a SKU twice in two cases, an unclosed quote")
    func badRows() throws {
        var (_, error, folder) = try importing(Self.header + "\nProduct,1,Mug,P,MUG,x,Y,by product,lots,0\n")
        #expect(error == #"products.csv:2: Current Stock Level "lots" is not a whole number"#)
        try? FileManager.default.removeItem(at: folder)
        (_, error, folder) = try importing(Self.header + "\nProduct,1,Mug,P,MUG,x,Y,by product,1,0\nProduct,2,Cup,P,mug,x,Y,by product,1,0\n")
        #expect(error == #"products.csv:3: SKU "mug" repeats line 2's; BigCommerce SKUs are unique regardless of letter case"#)
        try? FileManager.default.removeItem(at: folder)
        (_, error, folder) = try importing(Self.header + "\nProduct,1,\"Mug,P,MUG,x,Y,by product,1,0\n")
        #expect(error == "products.csv:2: a quoted cell is never closed")
        try? FileManager.default.removeItem(at: folder)
    }
}

/// Writing a snapshot file when the disk is full.
@Suite("snapshot files")
struct RowFileTests {
    @Test("a full disk is an error naming the file, not a short file (written to /dev/full)")
    func diskFull() throws {
        let file = try RowFile(path: "/dev/full", shownAs: "listings.jsonl")
        var failure: PullError?
        do throws(PullError) {
            for _ in 0..<64 { try file.append([UInt8](repeating: 0x61, count: 32_768) + [0x0A]) }
            try file.close()
        } catch {
            failure = error
        }
        #expect(failure?.description == "writing listings.jsonl: No space left on device")
        #expect(failure?.exitStatus == 1)
    }
}

/// `pulse pull --stock FILE.csv`: BigCommerce's stock from an export, AliExpress from its API, one
/// snapshot, all or nothing (issue 24, item 5).
@Suite("pulse pull --stock")
struct PullStockCSVTests {
    static let csv = "Item,ID,Name,Type,SKU,Options,Inventory Tracking,Current Stock\nProduct,1,Item 0,physical,SKU-0,,product,0\n"
        + "Product,2,Item 1,physical,SKU-1,,product,4\n"

    @Test("the export's stock and AliExpress's listings in one snapshot; no BigCommerce call or token needed")
    func stockAndListings() async throws {
        let h = try await PullHarness.start(.simple(listings: 2))
        defer { Task { await h.stop() } }
        try Data(Self.csv.utf8).write(to: URL(fileURLWithPath: h.path("products.csv")))
        var env = h.environment
        env["TEST_BC_TOKEN"] = nil
        let out = try await h.pull(["--out", h.path("snap"), "--now", "2026-03-17T08:00:00Z", "--stock", h.path("products.csv")], environment: env)
        #expect(out.exitCode == 0, "\(out.stderr)")
        #expect(h.server.calls("GET /catalog/products") == 0)
        #expect(try h.lines("snap/stock.jsonl") == [#"{"sku":"SKU-0","available":0,"tracking":"product","purchasable":true}"#,
                                                   #"{"sku":"SKU-1","available":4,"tracking":"product","purchasable":true}"#])
        #expect(try h.lines("snap/listings.jsonl").count == 2)
        #expect(try h.read("snap/snapshot.json").contains(#""sources":{"bigcommerce":{"taken_at":"2026-03-17T08:00:00Z"},"aliexpress":{"taken_at":"2026-03-17T08:00:00Z"}}"#))
    }

    @Test("a refused export fails before any call; a failing AliExpress leaves no snapshot, not a stock-only one")
    func allOrNothing() async throws {
        let h = try await PullHarness.start(.simple(listings: 2))
        defer { Task { await h.stop() } }
        try Data("Name,Price\nMug,3\n".utf8).write(to: URL(fileURLWithPath: h.path("bad.csv")))
        let bad = try await h.pull(["--out", h.path("snap"), "--stock", h.path("bad.csv")])
        #expect(bad.exitCode == 2)
        #expect(bad.stderr.contains("not a BigCommerce product export"), "\(bad.stderr)")
        #expect(h.server.calls("aliexpress.solution.product.list.get") == 0)
        try Data(Self.csv.utf8).write(to: URL(fileURLWithPath: h.path("products.csv")))
        var env = h.environment
        env["TEST_AE_SECRET"] = "wrong-secret"
        let failed = try await h.pull(["--out", h.path("snap"), "--stock", h.path("products.csv")], environment: env)
        #expect(failed.exitCode == 1, "\(failed.stderr)")
        #expect(!FileManager.default.fileExists(atPath: h.path("snap")))
        #expect(h.entries("").filter { $0.hasPrefix(".") }.isEmpty, "no staging folder left")
        let contradiction = try await h.pull(["--out", h.path("snap"), "--stock", h.path("products.csv"), "--only", "aliexpress"])
        #expect(contradiction.exitCode == 2 && contradiction.stderr.contains("cannot go with --only aliexpress"), "\(contradiction.stderr)")
    }
}
