import Foundation
import PulseDiagnostics
import PulseExpressions

/// Reads a snapshot folder (snapshot-format.md), checking every row against the contract.
///
/// Files are read in dependency order (freight templates and category restrictions before the
/// listings whose derived fields need them) and streamed line by line. Every bad row is
/// recorded; if there is any, loading fails with all of them rather than dropping or guessing.
public struct SnapshotLoader {
    private let folder: String
    /// Files held in memory instead of on disk (name -> bytes), for fixtures.
    private let memory: [String: [UInt8]]?
    /// The fields to store.
    private let fields: FieldSelection
    private var issues: [SnapshotIssue] = []
    /// How long each table took to read, in seconds (for `pulse bench`).
    private var loadTimes: [(table: String, seconds: Double)] = []
    private var issueCount = 0

    /// Loads the snapshot in `folder`.
    ///
    /// - Throws: ``SnapshotLoadError`` naming each bad row (file and line) or missing file.
    /// With a `fields` selection, only those fields are stored (every field is still checked).
    public static func load(folder: String, fields: FieldSelection = .all) throws(SnapshotLoadError) -> Snapshot {
        var loader = SnapshotLoader(folder: folder, memory: nil, fields: fields)
        return try loader.run()
    }

    /// Loads a snapshot whose files are given in memory (file name -> content), e.g. fixtures
    /// written inline in a test file. Issues name the files as `name` inside `label`.
    public static func load(files: [String: [UInt8]], label: String) throws(SnapshotLoadError) -> Snapshot {
        var loader = SnapshotLoader(folder: label, memory: files, fields: .all)
        return try loader.run()
    }

    private init(folder: String, memory: [String: [UInt8]]?, fields: FieldSelection) {
        self.folder = folder
        self.memory = memory
        self.fields = fields
    }

    private func path(_ name: String) -> String {
        folder.hasSuffix("/") ? folder + name : folder + "/" + name
    }

    /// Whether the folder has an entry `name` (a dangling link or a link loop counts: reading
    /// it then says what is wrong, rather than calling it missing).
    private func exists(_ name: String) -> Bool {
        if let memory { return memory[name] != nil }
        var info = stat()
        return lstat(path(name), &info) == 0
    }

    /// The whole of a small file (snapshot.json), read only if it is a regular file.
    private func contents(_ name: String) throws -> [UInt8] {
        if let memory { return memory[name] ?? [] }
        var out: [UInt8] = []
        try LineReader.forEachChunk(path: path(name)) { _, run in
            out.append(contentsOf: run)
            // snapshot.json is one small object; refuse to hold a huge file.
            guard out.count <= 1 << 20 else { throw FileReadError(message: "larger than 1 MiB; it holds one small JSON object") }
        }
        return out
    }

    private func forEachLine(_ name: String, _ body: (Int, UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        var first = true
        func skippingMark(_ line: Int, _ bytes: UnsafeBufferPointer<UInt8>) throws {
            defer { first = false }
            try body(line, first ? SnapshotLoader.withoutByteOrderMark(bytes) : bytes)
        }
        guard let memory else { return try LineReader.forEachLine(path: path(name), skippingMark) }
        try LineReader.forEachLine(bytes: memory[name] ?? [], skippingMark)
    }

    private func forEachRun(_ name: String, _ body: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        var first = true
        func skippingMark(_ run: UnsafeBufferPointer<UInt8>) throws {
            defer { first = false }
            try body(first ? SnapshotLoader.withoutByteOrderMark(run) : run)
        }
        guard let memory else { return try LineReader.forEachMappedRun(path: path(name), skippingMark) }
        try (memory[name] ?? []).withUnsafeBufferPointer { try skippingMark($0) }
    }

    /// `bytes` without a leading UTF-8 byte-order mark (spreadsheets and some exporters write one).
    static func withoutByteOrderMark(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        guard bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF else { return bytes }
        return UnsafeBufferPointer(rebasing: bytes[3...])
    }

    /// Runs `body`, noting how long it took under `table`.
    private mutating func timed<T>(_ table: String, _ body: (inout SnapshotLoader) -> T) -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        let result = body(&self)
        loadTimes.append((table, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9))
        return result
    }

    private mutating func report(_ file: String, _ line: Int, _ message: String) {
        issueCount += 1
        if issues.count < SnapshotLoadError.shownLimit {
            issues.append(SnapshotIssue(file: file, line: line, message: message))
        }
    }

    private mutating func run() throws(SnapshotLoadError) -> Snapshot {
        var isDirectory: ObjCBool = false
        guard memory != nil || (FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) && isDirectory.boolValue) else {
            throw SnapshotLoadError(issues: [SnapshotIssue(file: folder, line: 0, message: "no such snapshot folder")], total: 1)
        }
        let header = readHeader()
        let templates = readTemplates()
        let restrictions = readRestrictions()
        let stock = timed("stock") { $0.readStock() }
        let listings = timed("listings") { $0.readListings(templates: templates, restrictions: restrictions, stock: stock) }
        let events = timed("audit events") { $0.readEvents(listings: listings) }
        guard issueCount == 0, let header else {
            throw SnapshotLoadError(issues: issues, total: issueCount)
        }
        return Snapshot(folder: folder, store: header.store, takenAt: header.takenAt, sourceTakenAt: header.sources,
                        auditEventsSince: header.auditEventsSince, listings: listings, stock: stock,
                        events: events, freightTemplates: templates,
                        categoryRestrictions: Dictionary(restrictions, uniquingKeysWith: { first, _ in first }), loadTimes: loadTimes,
                        missingFiles: Set(SnapshotFile.allCases.filter { !$0.acceptedNames.contains(where: exists) }))
    }

    /// Calls `body` with each non-blank line's number and JSON object, reporting bad JSON.
    private mutating func forEachObject(_ name: String, required: Bool, _ body: (inout SnapshotLoader, Int, [JSONMember]) -> Void) {
        let file = path(name)
        guard exists(name) else {
            if required { report(file, 0, "missing; a snapshot needs snapshot.json and listings.jsonl") }
            return
        }
        var me = self
        do {
            try forEachLine(name) { line, bytes in
                if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }
                do throws(JSONSyntaxError) {
                    let value = try JSONParser.parse(bytes)
                    guard case .object(let fields) = value else {
                        me.report(file, line, "each line must be a JSON object, not \(value.kindName)")
                        return
                    }
                    body(&me, line, fields)
                } catch {
                    me.report(file, line, "bad JSON at column \(error.offset + 1): \(error.message)")
                }
            }
        } catch {
            me.report(file, 0, "cannot read: \(error)")
        }
        self = me
    }

    /// Decodes every line of `name` on all cores into batches, then applies them in line order.
    private mutating func forEachBatch<Batch: RowBatch>(_ name: String, required: Bool,
                                              decode: @escaping @Sendable (inout Batch, Int, UnsafeBufferPointer<UInt8>) -> Void,
                                              finish: (@Sendable (inout Batch) -> Void)? = nil,
                                              apply: @escaping (inout SnapshotLoader, inout Batch) -> Void) {
        let file = path(name)
        guard exists(name) else {
            if required { report(file, 0, "missing; a snapshot needs snapshot.json and listings.jsonl") }
            return
        }
        var me = self
        let reader = self
        do {
            try ParallelRows.run(runs: { body in try reader.forEachRun(name, body) }, decode: decode, finish: finish) { batch in
                apply(&me, &batch)
            }
        } catch {
            me.report(file, 0, "cannot read: \(error)")
        }
        self = me
    }

    private mutating func finish(_ reader: RowReader, _ file: String, _ line: Int) -> Bool {
        for problem in reader.problems { report(path(file), line, problem) }
        return reader.problems.isEmpty
    }

    private mutating func readHeader() -> (store: String?, takenAt: CELTimestamp, sources: [SnapshotSource: CELTimestamp], auditEventsSince: CELTimestamp?)? {
        let name = "snapshot.json"
        guard exists(name) else {
            report(path(name), 0, "missing; a snapshot needs snapshot.json and listings.jsonl")
            return nil
        }
        let data: [UInt8]
        do { data = try contents(name) } catch {
            report(path(name), 0, "cannot read: \(error)")
            return nil
        }
        let value: JSONValue
        do throws(JSONSyntaxError) {
            value = try data.withUnsafeBufferPointer { b throws(JSONSyntaxError) in try JSONParser.parse(SnapshotLoader.withoutByteOrderMark(b)) }
        } catch {
            let line = data.prefix(error.offset).filter { $0 == 0x0A }.count + 1
            report(path(name), line, "bad JSON: \(error.message)")
            return nil
        }
        guard case .object(let fields) = value else {
            report(path(name), 1, "must be a JSON object")
            return nil
        }
        var reader = RowReader(fields)
        let format = reader.requiredInt("format")
        if let format, format != 1 { reader.problems.append("\"format\" is \(format); this Pulse reads format 1") }
        let takenAt = reader.timestamp("taken_at", required: true)
        let store = reader.optionalString("store")
        let sources = Self.sourceTimes(&reader)
        // Pulse's extension: audit events were recorded from this moment on (the first pull).
        let eventsSince = reader.timestamp("audit_events_since", required: false)
        guard finish(reader, name, 1), let takenAt else { return nil }
        return (store, takenAt, sources, eventsSince)
    }

    /// The header's optional `sources`: `{"bigcommerce": {"taken_at": T}, "aliexpress": {...}}`,
    /// each key a ``SnapshotSource`` and each entry an object with a required RFC 3339 `taken_at`
    /// (its other keys are ignored). Problems go to `reader`, each naming where it is.
    private static func sourceTimes(_ reader: inout RowReader) -> [SnapshotSource: CELTimestamp] {
        var out: [SnapshotSource: CELTimestamp] = [:]
        switch reader.value("sources") {
        case nil, .null?: break
        case .object(let entries)?:
            let names = SnapshotSource.allCases.map(\.rawValue)
            for entry in entries {
                guard let source = SnapshotSource(rawValue: entry.key) else {
                    let hint = Suggestion.nearest(to: entry.key, in: names).map { "did you mean '\($0)'?" }
                        ?? "expected one of \(names.joined(separator: ", "))"
                    reader.problems.append("unknown source \"\(entry.key)\" in \"sources\"; \(hint)")
                    continue
                }
                guard case .object(let fields) = entry.value else {
                    reader.problems.append("\"sources\".\"\(entry.key)\" must be an object such as {\"taken_at\": \"2026-03-17T08:00:00Z\"}, not \(entry.value.kindName)")
                    continue
                }
                var r = RowReader(fields)
                let takenAt = r.timestamp("taken_at", required: true)
                reader.problems += r.problems.map { "\"sources\".\"\(entry.key)\": \($0)" }
                if let takenAt { out[source] = takenAt }
            }
        case let other?:
            reader.problems.append("\"sources\" must be an object of times by source, such as {\"bigcommerce\": {\"taken_at\": \"2026-03-17T08:00:00Z\"}}, not \(other.kindName)")
        }
        return out
    }

    private mutating func readTemplates() -> [FreightTemplate] {
        var out: [FreightTemplate] = []
        var lines: [String: Int] = [:]
        let name = "freight_templates.jsonl"
        forEachObject(name, required: false) { me, line, fields in
            var r = RowReader(fields)
            let id = r.requiredString("id")
            let templateName = r.optionalString("name")
            let countries = r.stringList("countries", required: true)
            if let id, let first = lines[id] { r.problems.append("duplicate template id \"\(id)\" (first on line \(first))") }
            if let id, lines[id] == nil { lines[id] = line }
            guard me.finish(r, name, line), let id, let countries else { return }
            out.append(FreightTemplate(id: id, name: templateName, countries: countries))
        }
        return out
    }

    /// The restrictions in file order (each category once).
    private mutating func readRestrictions() -> [(id: String, countries: [String])] {
        var out: [(id: String, countries: [String])] = []
        var lines: [String: Int] = [:]
        let name = "category_restrictions.jsonl"
        forEachObject(name, required: false) { me, line, fields in
            var r = RowReader(fields)
            let id = r.requiredString("category_id")
            let countries = r.stringList("countries", required: true)
            if let id, let first = lines[id] { r.problems.append("duplicate category_id \"\(id)\" (first on line \(first))") }
            if let id, lines[id] == nil { lines[id] = line }
            guard me.finish(r, name, line), let id, let countries else { return }
            out.append((id, countries))
        }
        return out
    }

    /// About how many rows a JSON Lines file holds, to size tables once.
    /// (`stat` follows a symbolic link to the file it names.)
    private func estimatedRows(_ name: String, bytesPerRow: Int) -> Int {
        var info = stat()
        guard memory == nil, stat(path(name), &info) == 0 else { return 0 }
        return Int(info.st_size) / bytesPerRow
    }

    /// Keys refused rows had, by first line, for the duplicate check of later rows.
    private typealias RefusedKeys = [String: Int]

    /// Applies one batch of rows to `columns`: good rows join the key index (a repeated key is
    /// reported), bad rows report their problems; both in line order.
    private mutating func apply(_ name: String, keyName: String, good goodLines: LineNumbers, batch batchKeys: BatchKeys,
                                keys: StringColumn, base: Int, index: inout KeyIndex, refusedKeys: inout RefusedKeys, lines: LineNumbers) {
        let hashes = batchKeys.hashes, refused = batchKeys.refused
        var g = 0, r = 0
        while g < goodLines.count || r < refused.count {
            if r < refused.count, g == goodLines.count || refused[r].line < goodLines[g] {
                let row = refused[r]
                var problems = row.problems
                if let key = row.key {
                    let earlier = withBytes(key) { index.find($0, hash: ByteHash.hash($0), in: keys) }
                    if let first = earlier.map({ lines[$0] }) ?? refusedKeys[key] {
                        problems.append("duplicate \(keyName) \"\(key)\" (first on line \(first))")
                    } else {
                        refusedKeys[key] = row.line
                    }
                }
                for problem in problems { report(path(name), row.line, problem) }
                r += 1
                continue
            }
            let row = base + g
            if !refusedKeys.isEmpty, let key = keys.string(row), let first = refusedKeys[key] {
                report(path(name), goodLines[g], "duplicate \(keyName) \"\(key)\" (first on line \(first))")
            } else if let earlier = index.insert(row: row, hash: hashes[g], in: keys) {
                report(path(name), goodLines[g], "duplicate \(keyName) \"\(keys.nonNull(row))\" (first on line \(lines[earlier]))")
            }
            g += 1
        }
    }

    /// The stock table, indexed by SKU (the `bc` join, which also finds duplicates).
    private mutating func readStock() -> StockTable {
        let estimate = estimatedRows("stock.jsonl", bytesPerRow: 120)
        var columns = StockColumns(rows: estimate, fields: fields)
        var index = KeyIndex(capacity: estimate)
        var refusedKeys = RefusedKeys()
        func add(_ me: inout SnapshotLoader, _ name: String, _ batch: StockBatch) {
            let base = columns.count
            columns.appendSlots(of: batch.columns)
            me.apply(name, keyName: "sku", good: batch.columns.lines, batch: batch.keys, keys: columns.skus,
                     base: base, index: &index, refusedKeys: &refusedKeys, lines: columns.lines)
        }
        if exists("stock.jsonl") && exists("stock.csv") {
            report(path("stock.csv"), 0, "both stock.jsonl and stock.csv exist; keep one")
        }
        if exists("stock.jsonl") {
            forEachBatch("stock.jsonl", required: false, decode: { batch, line, bytes in
                if !FastRowScanner.stock(bytes, line: line, into: &batch) { batch.decodeGeneral(bytes, line: line) }
            }, apply: { me, batch in add(&me, "stock.jsonl", batch) })
        } else if exists("stock.csv") {
            let file = path("stock.csv")
            var me = self
            var csv = CSVReader()
            var batch = StockBatch()
            do {
                try forEachLine("stock.csv") { line, bytes in
                    switch csv.read(bytes) {
                    case .skip: break
                    case .error(let message): batch.keys.refused.append(RefusedRow(line: line, key: nil, problems: [message]))
                    case .record(let fields): batch.decode(fields, line: line)
                    }
                }
                add(&me, "stock.csv", batch)
            } catch {
                me.report(file, 0, "cannot read: \(error)")
            }
            self = me
        }
        return StockTable(columns: columns, index: index)
    }

    /// The listings table (with its SKUs joined to `stock`), indexed by id (the audit event join,
    /// which also finds duplicates).
    private mutating func readListings(templates: [FreightTemplate], restrictions: [(id: String, countries: [String])],
                                       stock: StockTable) -> ListingTable {
        var shipToLists = CountryLists(), restrictionLists = CountryLists()
        let context = ListingContext(templates: templates.map { ($0.id, $0.countries) }, restrictions: restrictions, stock: stock,
                                     checkTemplates: !templates.isEmpty || exists("freight_templates.jsonl"), lists: &shipToLists,
                                     restrictionLists: &restrictionLists)
        let estimate = estimatedRows("listings.jsonl", bytesPerRow: 400)
        var columns = ListingColumns(rows: estimate, skusPerRow: 2, fields: fields)
        var index = KeyIndex(capacity: estimate)
        var refusedKeys = RefusedKeys()
        let name = "listings.jsonl"
        forEachBatch(name, required: true, decode: { batch, line, bytes in
            if !FastRowScanner.listing(bytes, line: line, context, into: &batch) { batch.decodeGeneral(bytes, line: line, context: context) }
        }, finish: { batch in batch.joinStock(context) }, apply: { me, batch in
            for row in 0..<batch.columns.count where batch.columns.ownShipTo[row] >= 0 {
                let list = shipToLists.intern(batch.ownLists[Int(batch.columns.ownShipTo[row])])
                batch.columns.ownShipTo[row] = list
                batch.columns.shipTo[row] = list
            }
            let base = columns.count
            columns.append(contentsOf: batch.columns)
            me.apply(name, keyName: "listing id", good: batch.columns.lines, batch: batch.keys,
                     keys: columns.ids, base: base, index: &index, refusedKeys: &refusedKeys, lines: columns.lines)
        })
        return ListingTable(columns: columns, index: index, shipToLists: shipToLists,
                            restrictionLists: restrictionLists, stock: stock)
    }

    /// The audit events, joined to their listings.
    private mutating func readEvents(listings: ListingTable) -> EventTable {
        var columns = EventColumns()
        let name = "audit_events.jsonl"
        forEachBatch(name, required: false, decode: { batch, line, bytes in
            if !FastRowScanner.event(bytes, line: line, listings: listings, into: &batch) {
                batch.decodeGeneral(bytes, line: line, listings: listings)
            }
        }, apply: { me, batch in
            columns.appendSlots(of: batch.columns)
            for row in batch.refused {
                for problem in row.problems { me.report(me.path(name), row.line, problem) }
            }
        })
        return EventTable(columns: columns, listings: listings)
    }
}
