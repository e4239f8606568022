/// Reads RFC 4180 CSV with a header row, one record a line (quoted fields may not span lines),
/// turning each record into the same field list a JSON object gives: an empty cell is a
/// missing value; `available` becomes an integer and `purchasable` a boolean when they parse.
///
/// As strict as the JSON Lines reader: bytes that are not UTF-8, a quote inside an unquoted
/// cell or text after a closing quote are errors; the header must name known columns, each
/// once, with `sku` and `available` among them. A header problem is reported once, on the
/// header line, and the rows under it are not read. (The loader skips a byte-order mark.)
package struct CSVReader {
    /// What one line turned out to be.
    enum Line {
        case skip
        case record([JSONMember])
        case error(String)
    }

    /// The columns a stock CSV may have (snapshot-format.md), and those it must have.
    static let columns = ["sku", "available", "tracking", "purchasable", "updated_at"]
    static let requiredColumns = ["sku", "available"]

    private var header: [String]?
    /// Set when the header was refused: every later line is skipped (the header said why).
    private var headerRefused = false

    /// Reads one line (the first non-blank line is the header).
    mutating func read(_ bytes: UnsafeBufferPointer<UInt8>) -> Line {
        if headerRefused { return .skip }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            return .error("bytes that are not UTF-8" + (header == nil ? " in the header" : ""))
        }
        if text.unicodeScalars.allSatisfy({ $0 == " " || $0 == "\t" }) { return .skip }
        let cells: [String]
        switch CSVReader.split(text) {
        case .failure(let message):
            if header == nil { headerRefused = true }
            return .error(message.message)
        case .success(let c): cells = c
        }
        guard let names = header else { return readHeader(cells) }
        guard cells.count == names.count else { return .error("\(cells.count) cells; the header has \(names.count)") }
        var fields: [JSONMember] = []
        for (name, cell) in zip(names, cells) where !cell.isEmpty {
            switch name {
            case "available":
                fields.append(JSONMember(name, Int64(cell).map(JSONValue.int) ?? .string(cell)))
            case "purchasable":
                fields.append(JSONMember(name, cell == "true" ? .bool(true) : cell == "false" ? .bool(false) : .string(cell)))
            default:
                fields.append(JSONMember(name, .string(cell)))
            }
        }
        return .record(fields)
    }

    private mutating func readHeader(_ cells: [String]) -> Line {
        let names = cells.map { $0.trimmingCharacters(in: [" ", "\t"]) }
        header = names
        var problems: [String] = []
        var seen = Set<String>()
        for name in names {
            if !CSVReader.columns.contains(name) {
                problems.append("unknown column \"\(name)\"")
            } else if !seen.insert(name).inserted {
                problems.append("column \"\(name)\" appears twice")
            }
        }
        for name in CSVReader.requiredColumns where !names.contains(name) { problems.append("no \"\(name)\" column") }
        guard !problems.isEmpty else { return .skip }
        headerRefused = true
        return .error("the header row " + problems.joined(separator: ", ") + "; the columns are "
                      + CSVReader.columns.joined(separator: ",") + " (sku and available required); no row was read")
    }

    /// The cells of one line, or what is wrong with its quoting.
    package static func split(_ line: String) -> Result<[String], CSVError> {
        var cells: [String] = []
        var cell = String.UnicodeScalarView()
        var column = 0
        enum State { case start, unquoted, quoted, closed }
        var state = State.start
        var iterator = line.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar?
        while let c = pending ?? iterator.next() {
            pending = nil
            column += 1
            switch state {
            case .start, .unquoted:
                if c == "," {
                    cells.append(String(cell)); cell = String.UnicodeScalarView(); state = .start
                } else if c == "\"" {
                    guard state == .start else { return .failure(CSVError("a quote inside an unquoted cell at column \(column); quote the whole cell and double the quote (\"\")")) }
                    state = .quoted
                } else {
                    cell.append(c); state = .unquoted
                }
            case .quoted:
                if c == "\"" {
                    let next = iterator.next()
                    if next == "\"" { cell.append("\""); column += 1 } else { state = .closed; pending = next; column -= 0 }
                } else {
                    cell.append(c)
                }
            case .closed:
                guard c == "," else { return .failure(CSVError("text after a closing quote at column \(column)")) }
                cells.append(String(cell)); cell = String.UnicodeScalarView(); state = .start
            }
        }
        if state == .quoted { return .failure(CSVError("unterminated quoted field")) }
        cells.append(String(cell))
        return .success(cells)
    }
}

/// A CSV line that cannot be split into cells.
package struct CSVError: Error, Equatable {
    package let message: String
    init(_ message: String) { self.message = message }
}

private extension String {
    func trimmingCharacters(in set: Set<Character>) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
