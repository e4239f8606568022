import Foundation
import PulseExpressions
import Testing
@testable import PulseSnapshot

/// The column storage the tables are made of.
@Suite struct ColumnsTests {
    @Test func keyIndexGrowsAndFindsEveryKey() {
        var keys = StringColumn()
        var index = KeyIndex(capacity: 0)
        for i in 0..<10_000 {
            keys.append("SKU-\(i)")
            #expect(index.insert(row: i, hash: keys.hash(i), in: keys) == nil)
        }
        keys.append("SKU-1234")
        #expect(index.insert(row: 10_000, hash: keys.hash(10_000), in: keys) == 1234, "a repeated key names the first row")
        for probe in [0, 1, 777, 9_999] {
            let key = "SKU-\(probe)"
            #expect(withBytes(key) { index.find($0, hash: ByteHash.hash($0), in: keys) } == probe)
        }
        #expect(withBytes("SKU-10000") { index.find($0, hash: ByteHash.hash($0), in: keys) } == nil)
        #expect(index.count == 10_000)
    }

    @Test func stringColumnKeepsNullsAndEmptyStrings() {
        var a = StringColumn(), b = StringColumn()
        a.append("x")
        a.appendNull()
        b.append("")
        b.appendNull()
        b.append("yz")
        a.append(contentsOf: b)
        #expect((0..<a.count).map { a.string($0) } == ["x", nil, "", nil, "yz"])
        var dropped = StringColumn(rows: 0, bytesPerRow: 0, kept: false)
        dropped.append(contentsOf: a)
        #expect(dropped.count == 5 && dropped.string(0) == nil && dropped.byteCount == 0)
    }

    @Test func lineNumbersFollowGaps() {
        var lines = LineNumbers()
        for line in [1, 2, 4, 5, 9] { lines.append(line) }
        var more = LineNumbers()
        for line in [10, 12] { more.append(line) }
        lines.append(contentsOf: more)
        #expect((0..<lines.count).map { lines[$0] } == [1, 2, 4, 5, 9, 10, 12])
    }

    @Test func timestampsKeepFractionsOnlyWhenThereAreSome() throws {
        var column = TimestampColumn()
        column.append(CELTimestamp(seconds: 10))
        column.append(nil)
        var other = TimestampColumn()
        other.append(CELTimestamp(seconds: 20, nanos: 500))
        column.append(contentsOf: other)
        column.append(CELTimestamp(seconds: 30))
        #expect(column[0] == CELTimestamp(seconds: 10) && column[1] == nil)
        #expect(column[2] == CELTimestamp(seconds: 20, nanos: 500) && column[3] == CELTimestamp(seconds: 30))
    }

    @Test func skusJoinTheirStockInAnyOrder() throws {
        let listings = """
            {"id": "L1", "status": "active", "skus": [{"code": "C", "stock": 1}, {"code": "A", "stock": 2}]}
            {"id": "L2", "status": "active", "skus": [{"code": "B", "stock": 3}, {"code": "Z", "stock": 4}]}
            """
        let stock = """
            {"sku": "A", "available": 10}
            {"sku": "B", "available": 20}
            {"sku": "C", "available": 30}
            """
        let snapshot = try SnapshotLoader.load(files: [
            "snapshot.json": Array(#"{"format": 1, "taken_at": "2026-03-17T08:00:00Z"}"#.utf8),
            "listings.jsonl": Array(listings.utf8), "stock.jsonl": Array(stock.utf8),
        ], label: "mem")
        let joined = snapshot.listings.flatMap { $0.skus.map { "\($0.code)=\($0.stockRecord?.available ?? -1)" } }
        #expect(joined == ["C=30", "A=10", "B=20", "Z=-1"])
    }

    @Test func skusJoinAStockFileInAnotherOrder() throws {
        // Enough SKUs that the join gives up on the file's order and looks every SKU up.
        let n = 3000
        var listings = "", stock = ""
        for i in 0..<n { listings += #"{"id": "L\#(i)", "status": "active", "skus": [{"code": "S\#(i)", "stock": 1}, {"code": "NONE\#(i)", "stock": 1}]}"# + "\n" }
        for i in (0..<n).reversed() where i % 7 != 0 { stock += #"{"sku": "S\#(i)", "available": \#(i)}"# + "\n" }
        let snapshot = try SnapshotLoader.load(files: [
            "snapshot.json": Array(#"{"format": 1, "taken_at": "2026-03-17T08:00:00Z"}"#.utf8),
            "listings.jsonl": Array(listings.utf8), "stock.jsonl": Array(stock.utf8),
        ], label: "mem")
        var wrong = 0
        for listing in snapshot.listings {
            let skus = Array(listing.skus)
            let i = Int(listing.id.dropFirst()) ?? -1
            let expected: Int64? = i % 7 == 0 ? nil : Int64(i)
            if skus[0].stockRecord?.available != expected || skus[1].stockRecord != nil { wrong += 1 }
        }
        #expect(wrong == 0)
    }

    @Test func mappedRunsCoverTheFileInWholeLines() throws {
        // A line longer than a run, CRLF endings and no final line break.
        let long = String(repeating: "x", count: LineReader.chunkSize + 1000)
        let text = "first\r\n" + long + "\r\nthird\n\nlast"
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pulse-runs-\(UUID().uuidString)").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        var runs: [[UInt8]] = []
        try LineReader.forEachMappedRun(path: path) { runs.append(Array($0)) }
        #expect(runs.dropLast().allSatisfy { $0.last == 0x0A }, "every run but the last ends a line")
        #expect(runs.flatMap { $0 } == Array(text.utf8))
        var lines: [(Int, String)] = []
        var next = 1
        for run in runs {
            run.withUnsafeBufferPointer { buffer in
                LineReader.lines(in: buffer, firstLine: next) { n, bytes in lines.append((n, String(decoding: bytes, as: UTF8.self))) }
            }
            next += run.filter { $0 == 0x0A }.count
        }
        #expect(lines.map(\.0) == [1, 2, 3, 4, 5])
        #expect(lines.map(\.1) == ["first", long, "third", "", "last"])
    }
}

/// Country lists are interned by a packed key when they are short lists of two-letter codes.
@Suite struct CountryListsTests {
    @Test func equalListsShareAnIndexAndOrderCountCaseAndLengthKeepThemApart() {
        var lists = CountryLists()
        let us = lists.intern(["US", "GB"])
        #expect(lists.intern(["US", "GB"]) == us)
        let distinct: [[String]] = [["GB", "US"], ["US"], ["US", "GB", "AA"], ["AA", "US", "GB"], [], ["ZZ", "ZZ", "ZZ", "ZZ", "ZZ", "ZZ"],
                                    ["US", "GB", "DE", "FR", "BR", "ES", "IT"], ["US", "GB", "DE", "FR", "BR", "ES", "IT", "PL", "SE", "AU",
                                    "MX", "JP", "CA", "NL", "BE", "AT", "AA", "ZZ", "CH"], ["us", "GB"], ["USA", "GB"], ["U", "SGB"], ["ÜS"]]
        var seen = Set([us])
        for list in distinct {
            let i = lists.intern(list)
            #expect(seen.insert(i).inserted, "\(list) got the index of another list")
            #expect(lists.intern(list) == i)
            #expect(lists[i] == list)
        }
        #expect(PackedCodes(["AA"]) != PackedCodes(["AA", "AA"]))
        #expect(PackedCodes(["AA"]) != PackedCodes([]))
        #expect(PackedCodes(["us"]) == nil)
        #expect(PackedCodes(["ÜS"]) == nil)
        #expect(PackedCodes(["US", "G"]) == nil)
    }

    /// Up to 18 codes pack (across all three words, in order); the 19th does not.
    @Test func listsPackUpToEighteenCodesInOrder() throws {
        let codes = ["US", "GB", "DE", "FR", "BR", "ES", "IT", "PL", "SE", "AU", "MX", "JP", "CA", "NL", "BE", "AT", "AA", "ZZ"]
        let packed = try #require(PackedCodes(codes))
        #expect(packed.codes == codes)
        #expect(packed.count == 18)
        #expect(PackedCodes(codes + ["CH"]) == nil)
        #expect(PackedCodes(Array(codes.reversed())) != packed)
        var lists = CountryLists()
        let i = lists.intern(.packed(packed))
        #expect(lists.intern(codes) == i)
        #expect(lists[i] == codes)
        let long = lists.intern(codes + ["CH"])
        #expect(long != i && lists[long] == codes + ["CH"])
    }
}
