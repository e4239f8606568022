import Foundation
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
    private var issues: [SnapshotIssue] = []
    private var issueCount = 0

    /// Loads the snapshot in `folder`.
    ///
    /// - Throws: ``SnapshotLoadError`` naming each bad row (file and line) or missing file.
    public static func load(folder: String) throws(SnapshotLoadError) -> Snapshot {
        var loader = SnapshotLoader(folder: folder, memory: nil)
        return try loader.run()
    }

    /// Loads a snapshot whose files are given in memory (file name -> content), e.g. fixtures
    /// written inline in a test file. Issues name the files as `name` inside `label`.
    public static func load(files: [String: [UInt8]], label: String) throws(SnapshotLoadError) -> Snapshot {
        var loader = SnapshotLoader(folder: label, memory: files)
        return try loader.run()
    }

    private init(folder: String, memory: [String: [UInt8]]?) {
        self.folder = folder
        self.memory = memory
    }

    private func path(_ name: String) -> String {
        folder.hasSuffix("/") ? folder + name : folder + "/" + name
    }

    private func exists(_ name: String) -> Bool {
        if let memory { return memory[name] != nil }
        return FileManager.default.fileExists(atPath: path(name))
    }

    private func contents(_ name: String) -> [UInt8]? {
        if let memory { return memory[name] }
        return FileManager.default.contents(atPath: path(name)).map { [UInt8]($0) }
    }

    private func forEachLine(_ name: String, _ body: (Int, UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        guard let memory else { return try LineReader.forEachLine(path: path(name), body) }
        try LineReader.forEachLine(bytes: memory[name] ?? [], body)
    }

    private func forEachChunk(_ name: String, _ body: (Int, UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        guard let memory else { return try LineReader.forEachChunk(path: path(name), body) }
        try LineReader.forEachChunk(bytes: memory[name] ?? [], body)
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
        let (stock, stockBySKU) = readStock()
        let (listings, listingsByID) = readListings(templates: templates, restrictions: restrictions, stock: stockBySKU)
        let events = readEvents(listings: listingsByID)
        guard issueCount == 0, let header else {
            throw SnapshotLoadError(issues: issues, total: issueCount)
        }
        return Snapshot(folder: folder, store: header.store, takenAt: header.takenAt, listings: listings, stock: stock,
                        auditEvents: events, freightTemplates: templates, categoryRestrictions: restrictions)
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
            me.report(file, 0, "cannot read: \(error.localizedDescription)")
        }
        self = me
    }

    /// Decodes every line of `name` on all cores, then applies the rows in line order.
    private mutating func forEachRow<Row: Sendable>(_ name: String, required: Bool,
                                                    fast: @escaping @Sendable (UnsafeBufferPointer<UInt8>) -> Row?,
                                                    decode: @escaping @Sendable ([JSONMember]) -> Row,
                                                    apply: @escaping (inout SnapshotLoader, Int, Row) -> Void) {
        let file = path(name)
        guard exists(name) else {
            if required { report(file, 0, "missing; a snapshot needs snapshot.json and listings.jsonl") }
            return
        }
        var me = self
        let reader = self
        do {
            try ParallelRows.run(chunks: { body in try reader.forEachChunk(name, body) }, fast: fast, decode: decode) { line, decoded in
                switch decoded {
                case .blank: break
                case .badJSON(let message): me.report(file, line, message)
                case .row(let row): apply(&me, line, row)
                }
            }
        } catch {
            me.report(file, 0, "cannot read: \(error.localizedDescription)")
        }
        self = me
    }

    private mutating func finish(_ reader: RowReader, _ file: String, _ line: Int) -> Bool {
        for problem in reader.problems { report(path(file), line, problem) }
        return reader.problems.isEmpty
    }

    private mutating func readHeader() -> (store: String?, takenAt: CELTimestamp)? {
        let name = "snapshot.json"
        guard exists(name), let data = contents(name) else {
            report(path(name), 0, exists(name) ? "cannot read" : "missing; a snapshot needs snapshot.json and listings.jsonl")
            return nil
        }
        let value: JSONValue
        do throws(JSONSyntaxError) { value = try JSONParser.parse(data) } catch {
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
        guard finish(reader, name, 1), let takenAt else { return nil }
        return (store, takenAt)
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

    private mutating func readRestrictions() -> [String: [String]] {
        var out: [String: [String]] = [:]
        var lines: [String: Int] = [:]
        let name = "category_restrictions.jsonl"
        forEachObject(name, required: false) { me, line, fields in
            var r = RowReader(fields)
            let id = r.requiredString("category_id")
            let countries = r.stringList("countries", required: true)
            if let id, let first = lines[id] { r.problems.append("duplicate category_id \"\(id)\" (first on line \(first))") }
            if let id, lines[id] == nil { lines[id] = line }
            guard me.finish(r, name, line), let id, let countries else { return }
            out[id] = countries
        }
        return out
    }

    /// A stock row, decoded (problems included) on a worker.
    struct StockRow: Sendable {
        let sku: String?
        let available: Int64?
        let tracking: StockTracking
        let purchasable: Bool
        let updatedAt: CELTimestamp?
        let problems: [String]

        init(sku: String, available: Int64, tracking: StockTracking, purchasable: Bool, updatedAt: CELTimestamp?) {
            self.sku = sku
            self.available = available
            self.tracking = tracking
            self.purchasable = purchasable
            self.updatedAt = updatedAt
            problems = []
        }

        init(_ fields: [JSONMember]) {
            var r = RowReader(fields)
            sku = r.requiredString("sku")
            available = r.requiredInt("available")
            var tracking = StockTracking.variant
            if let t = r.optionalString("tracking") {
                if let parsed = StockTracking(rawValue: t) { tracking = parsed } else {
                    r.problems.append("unknown tracking \"\(t)\"; expected none, product or variant")
                }
            }
            self.tracking = tracking
            purchasable = r.optionalBool("purchasable", default: true)
            updatedAt = r.timestamp("updated_at", required: false)
            problems = r.problems
        }
    }

    /// About how many rows a JSON Lines file holds, to size tables once.
    private func estimatedRows(_ name: String, bytesPerRow: Int) -> Int {
        guard memory == nil, let size = (try? FileManager.default.attributesOfItem(atPath: path(name)))?[.size] as? Int else { return 0 }
        return size / bytesPerRow
    }

    /// The stock records and the same records by SKU (the `bc` join, which also finds duplicates).
    private mutating func readStock() -> ([StockRecord], [String: StockRecord]) {
        var table = UniqueRows<StockRecord>(capacity: estimatedRows("stock.jsonl", bytesPerRow: 120))
        func add(_ me: inout SnapshotLoader, _ name: String, _ line: Int, _ row: StockRow) {
            if row.problems.isEmpty, let sku = row.sku, let available = row.available {
                let record = StockRecord(sku: sku, available: available, tracking: row.tracking, purchasable: row.purchasable,
                                         updatedAt: row.updatedAt, line: line)
                if let first = table.add(record, key: sku) {
                    me.report(me.path(name), line, "duplicate sku \"\(sku)\" (first on line \(first))")
                }
                return
            }
            var problems = row.problems
            if let sku = row.sku, let first = table.refuse(key: sku, line: line) {
                problems.append("duplicate sku \"\(sku)\" (first on line \(first))")
            }
            for problem in problems { me.report(me.path(name), line, problem) }
        }
        if exists("stock.jsonl") && exists("stock.csv") {
            report(path("stock.csv"), 0, "both stock.jsonl and stock.csv exist; keep one")
        }
        if exists("stock.jsonl") {
            forEachRow("stock.jsonl", required: false, fast: FastRowScanner.stock, decode: StockRow.init) { me, line, row in
                add(&me, "stock.jsonl", line, row)
            }
        } else if exists("stock.csv") {
            let file = path("stock.csv")
            var me = self
            var csv = CSVReader()
            do {
                try forEachLine("stock.csv") { line, bytes in
                    switch csv.read(bytes) {
                    case .skip: break
                    case .error(let message): me.report(file, line, message)
                    case .record(let fields): add(&me, "stock.csv", line, StockRow(fields))
                    }
                }
            } catch {
                me.report(file, 0, "cannot read: \(error.localizedDescription)")
            }
            self = me
        }
        return (table.rows, table.byKey)
    }

    /// What decoding a listing row needs, shared read-only by the workers.
    struct ListingContext: Sendable {
        /// A list of countries as strings and as an expression value, built once and shared.
        struct Countries: Sendable {
            let list: [String]
            let value: Value
            init(_ list: [String]) {
                self.list = list
                value = .list(list.map(Value.string))
            }
        }

        let templates: [String: Countries]
        let restrictions: [String: Countries]
        let stock: [String: StockRecord]
        let checkTemplates: Bool

        init(templateCountries: [String: [String]], restrictions: [String: [String]], stock: [String: StockRecord], checkTemplates: Bool) {
            templates = templateCountries.mapValues(Countries.init)
            self.restrictions = restrictions.mapValues(Countries.init)
            self.stock = stock
            self.checkTemplates = checkTemplates
        }
    }

    /// A listing row, decoded (problems included) on a worker.
    struct ListingRow: Sendable {
        let id: String?
        let listing: Listing?
        let problems: [String]

        /// A valid row read by the fast path.
        init(id: String, status: ListingStatus, title: String?, categoryID: String?, templateID: String?, ownShipTo: [String]?,
             createdAt: CELTimestamp?, updatedAt: CELTimestamp?, expiresAt: CELTimestamp?, reason: String?, skus: [SKUVariant],
             context: ListingContext) {
            self.id = id
            problems = []
            listing = ListingRow.make(id: id, status: status, title: title, categoryID: categoryID, templateID: templateID,
                                      ownShipTo: ownShipTo, createdAt: createdAt, updatedAt: updatedAt, expiresAt: expiresAt,
                                      reason: reason, skus: skus, context: context)
        }

        static func make(id: String, status: ListingStatus, title: String?, categoryID: String?, templateID: String?, ownShipTo: [String]?,
                         createdAt: CELTimestamp?, updatedAt: CELTimestamp?, expiresAt: CELTimestamp?, reason: String?, skus: [SKUVariant],
                         context: ListingContext) -> Listing {
            // Listings of one template (or category) share its lists instead of copying them.
            let template = ownShipTo == nil ? templateID.flatMap { context.templates[$0] } : nil
            let restriction = categoryID.flatMap { context.restrictions[$0] }
            return Listing(id: id, title: title, status: status, categoryID: categoryID, freightTemplateID: templateID,
                           ownShipTo: ownShipTo, createdAt: createdAt, updatedAt: updatedAt, expiresAt: expiresAt,
                           rejectionReason: reason, skus: skus, shipTo: ownShipTo ?? template?.list ?? [],
                           restrictedDestinations: restriction?.list ?? [], line: 0,
                           shipToValue: template?.value, restrictedValue: restriction?.value)
        }

        init(_ fields: [JSONMember], _ context: ListingContext) {
            var r = RowReader(fields)
            let id = r.requiredString("id")
            let status = r.status("status", required: true)
            let title = r.optionalString("title")
            let categoryID = r.optionalString("category_id")
            let templateID = r.optionalString("freight_template_id")
            let ownShipTo = r.stringList("ship_to", required: false)
            let createdAt = r.timestamp("created_at", required: false)
            let updatedAt = r.timestamp("updated_at", required: false)
            let expiresAt = r.timestamp("expires_at", required: false)
            let reason = r.optionalString("rejection_reason")
            var skus: [SKUVariant] = []
            switch r.value("skus") {
            case nil: r.problems.append("missing required field \"skus\" (write [] for none)")
            case .array(let items)?:
                skus.reserveCapacity(items.count)
                for (i, item) in items.enumerated() {
                    guard case .object(let skuFields) = item else {
                        r.problems.append("\"skus\"[\(i)] must be an object, not \(item.kindName)")
                        continue
                    }
                    var s = RowReader(skuFields)
                    let code = s.requiredString("code")
                    let stock = s.requiredInt("stock")
                    if let stock, stock < 0 { s.problems.append("\"stock\" must be >= 0, not \(stock)") }
                    var price: String?
                    if let p = s.value("price"), p != .null {
                        if case .string(let text) = p, Double(text) != nil { price = text } else {
                            s.problems.append("\"price\" must be a decimal string such as \"49.99\"")
                        }
                    }
                    r.problems += s.problems.map { "\"skus\"[\(i)]: \($0)" }
                    if let code, let stock, s.problems.isEmpty {
                        skus.append(SKUVariant(code: code, stock: stock, price: price, stockRecord: context.stock[code]))
                    }
                }
            case let other?: r.problems.append("\"skus\" must be an array, not \(other.kindName)")
            }
            if let templateID, ownShipTo == nil, context.templates[templateID] == nil, context.checkTemplates {
                r.problems.append("freight_template_id \"\(templateID)\" is not in freight_templates.jsonl")
            }
            self.id = id
            problems = r.problems
            guard r.problems.isEmpty, let id, let status else {
                listing = nil
                return
            }
            listing = ListingRow.make(id: id, status: status, title: title, categoryID: categoryID, templateID: templateID,
                                      ownShipTo: ownShipTo, createdAt: createdAt, updatedAt: updatedAt, expiresAt: expiresAt,
                                      reason: reason, skus: skus, context: context)
        }
    }

    /// The listings and the same listings by id (the audit event join, which also finds duplicates).
    private mutating func readListings(templates: [FreightTemplate], restrictions: [String: [String]],
                                       stock: [String: StockRecord]) -> ([Listing], [String: Listing]) {
        var templateCountries: [String: [String]] = [:]
        for t in templates { templateCountries[t.id] = t.countries }
        let context = ListingContext(templateCountries: templateCountries, restrictions: restrictions, stock: stock,
                                     checkTemplates: !templates.isEmpty || exists("freight_templates.jsonl"))
        var table = UniqueRows<Listing>(capacity: estimatedRows("listings.jsonl", bytesPerRow: 600))
        let name = "listings.jsonl"
        forEachRow(name, required: true, fast: { FastRowScanner.listing($0, context) }, decode: { ListingRow($0, context) }) { me, line, row in
            if row.problems.isEmpty, let listing = row.listing, let id = row.id {
                listing.line = line
                if let first = table.add(listing, key: id) {
                    me.report(me.path(name), line, "duplicate listing id \"\(id)\" (first on line \(first))")
                }
                return
            }
            var problems = row.problems
            if let id = row.id, let first = table.refuse(key: id, line: line) {
                problems.append("duplicate listing id \"\(id)\" (first on line \(first))")
            }
            for problem in problems { me.report(me.path(name), line, problem) }
        }
        return (table.rows, table.byKey)
    }

    private mutating func readEvents(listings: [String: Listing]) -> [AuditEvent] {
        var out: [AuditEvent] = []
        let name = "audit_events.jsonl"
        forEachObject(name, required: false) { me, line, fields in
            var r = RowReader(fields)
            let listingID = r.requiredString("listing_id")
            let at = r.timestamp("at", required: true)
            let to = r.status("to", required: true)
            let from = r.status("from", required: false)
            let reason = r.optionalString("reason")
            guard me.finish(r, name, line), let listingID, let at, let to else { return }
            out.append(AuditEvent(listingID: listingID, at: at, from: from, to: to, reason: reason, line: line,
                                  listing: listings[listingID]))
        }
        return out
    }
}
