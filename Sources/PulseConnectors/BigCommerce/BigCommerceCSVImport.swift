import Foundation
import PulseSnapshot

/// `pulse import bigcommerce-csv` and `pulse pull --stock`: a product export of BigCommerce's
/// control panel as `stock.jsonl`, for merchants without API access. Two layouts are read:
/// - the current export (*Products > Export*, the default template): `Item` (`Product`, `Variant`),
///   `SKU`, `Inventory Tracking` (`none`, `product`, `variant`), `Current Stock`, and optionally
///   `Purchasability` (`disabled` is not purchasable);
/// - the legacy "Bulk Edit" template: `Item Type` (`Product`, `SKU`), `Product Code/SKU`,
///   `Track Inventory`, `Current Stock Level`, and optionally `Allow Purchases?` (`N`).
/// Product rows come first; their variants follow. Other rows (images, videos, rules) and columns
/// are not read. A byte-order mark and Excel's quoting (doubled quotes, line breaks inside quoted
/// cells) are read.
public enum BigCommerceCSVImport {
    /// The columns the import needs (the legacy Bulk Edit template's).
    public static let requiredColumns = Layout.bulkEdit.required

    /// Which columns of an export hold what.
    struct Layout {
        var name: String
        var itemType: String
        var sku: String
        var tracking: String
        var level: String
        var purchasable: String

        var required: [String] { [itemType, sku, tracking, level] }

        /// The control panel's current product export.
        static let current = Layout(name: "current product export (Products > Export)", itemType: "Item", sku: "SKU",
                                    tracking: "Inventory Tracking", level: "Current Stock", purchasable: "Purchasability")
        /// The legacy Bulk Edit template.
        static let bulkEdit = Layout(name: "Bulk Edit template", itemType: "Item Type", sku: "Product Code/SKU",
                                     tracking: "Track Inventory", level: "Current Stock Level", purchasable: "Allow Purchases?")
        static let all = [current, bulkEdit]
    }

    /// The stock rows of the export at `path` (what `pulse pull --stock` writes as stock.jsonl).
    public static func rows(csv path: String) throws(PullError) -> [[UInt8]] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PullError(.config, "--stock \(path): cannot read the file")
        }
        return try convert(Array(data), file: path)
    }

    /// Writes `<out>/stock.jsonl` from the export at `path` (atomically: a temporary file,
    /// fsynced, renamed); returns the rows written.
    public static func run(csv path: String, out: String) throws(PullError) -> Int {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PullError(.config, "\(path): cannot read the file")
        }
        let target = out + "/stock.jsonl"
        if FileManager.default.fileExists(atPath: target) {
            throw PullError(.output, "\(target) already exists; import into a folder without stock.jsonl")
        }
        let rows = try convert(Array(data), file: path)
        do { try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true) } catch {
            throw PullError(.output, "cannot create \(out): \(StagingFolder.reason(error))")
        }
        let temporary = out + "/.stock.jsonl.tmp-\(getpid())"
        let file = try RowFile(path: temporary, shownAs: target)
        do throws(PullError) {
            for row in rows { try file.append(row) }
            try file.close()
        } catch {
            unlink(temporary)
            throw error
        }
        guard rename(temporary, target) == 0 else {
            unlink(temporary)
            throw PullError(.output, "cannot rename \(temporary) to \(target): \(String(cString: strerror(errno)))")
        }
        StagingFolder.fsyncPath(out)
        return rows.count
    }

    /// The stock rows of an export, or the first problem as `file:line: message`.
    static func convert(_ bytes: [UInt8], file: String) throws(PullError) -> [[UInt8]] {
        var bytes = bytes
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw PullError(.config, "\(file): not UTF-8 text (save the export as CSV UTF-8)")
        }
        let records = try records(text, file: file)
        guard let (_, header) = records.first else { throw PullError(.config, "\(file): empty; expected a BigCommerce product export") }
        let names = header.map { $0.trimmingCharacters(in: .whitespaces) }
        guard let layout = Layout.all.first(where: { l in l.required.allSatisfy(names.contains) }) else {
            let shown = names.prefix(8).joined(separator: ",") + (names.count > 8 ? ",…" : "")
            let lacks = Layout.all.map { l in
                "the \(l.name) also needs " + l.required.filter { !names.contains($0) }.map { "\"\($0)\"" }.joined(separator: ", ")
            }
            throw PullError(.config, "\(file):1: not a BigCommerce product export: the header \"\(shown)\" has no stock columns of a layout Pulse reads ("
                            + lacks.joined(separator: "; ") + ")")
        }
        func column(_ name: String) -> Int? { names.firstIndex(of: name) }
        guard let itemType = column(layout.itemType), let sku = column(layout.sku), let track = column(layout.tracking),
              let level = column(layout.level) else { throw PullError(.config, "\(file):1: the header lacks a required column") }
        let allow = column(layout.purchasable)
        let levelName = layout.level, trackingName = layout.tracking

        struct ProductRow { var line: Int; var sku: String; var tracking: String; var level: Int64?; var purchasable: Bool; var variants: [(line: Int, sku: String, level: Int64?)] }
        var products: [ProductRow] = []
        for (line, cells) in records.dropFirst() {
            if cells.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
            guard cells.count == names.count else {
                throw PullError(.config, "\(file):\(line): \(cells.count) cells; the header has \(names.count)")
            }
            func stock() throws(PullError) -> Int64? {
                let cell = cells[level].trimmingCharacters(in: .whitespaces)
                if cell.isEmpty { return nil }
                guard let n = Int64(cell) else { throw PullError(.config, "\(file):\(line): \(levelName) \"\(cell.prefix(20))\" is not a whole number") }
                return n
            }
            switch cells[itemType].trimmingCharacters(in: .whitespaces) {
            case "Product":
                let tracking: String
                switch cells[track].trimmingCharacters(in: .whitespaces).lowercased() {
                case "", "n", "no", "none": tracking = "none"
                case "y", "yes", "by product", "product": tracking = "product"
                case "by option", "by variant", "variant": tracking = "variant"
                case let other: throw PullError(.config, "\(file):\(line): \(trackingName) \"\(other.prefix(20))\" is not none, by product or by option")
                }
                let purchasable = allow.map { !["n", "no", "disabled"].contains(cells[$0].trimmingCharacters(in: .whitespaces).lowercased()) } ?? true
                products.append(ProductRow(line: line, sku: cells[sku].trimmingCharacters(in: .whitespaces), tracking: tracking, level: try stock(),
                                           purchasable: purchasable, variants: []))
            case "SKU", "Variant":
                guard !products.isEmpty else {
                    throw PullError(.config, "\(file):\(line): a SKU row before any Product row (variant rows follow their product)")
                }
                products[products.count - 1].variants.append((line, cells[sku].trimmingCharacters(in: .whitespaces), try stock()))
            default:
                continue  // images, videos, rules: not stock
            }
        }
        var seen: [String: Int] = [:]
        var out: [[UInt8]] = []
        func emit(_ code: String, line: Int, level: Int64?, product: ProductRow) throws(PullError) {
            guard !code.isEmpty else { return }
            if let first = seen[code.lowercased()] {
                throw PullError(.config, "\(file):\(line): SKU \"\(code)\" repeats line \(first)'s; BigCommerce SKUs are unique regardless of letter case")
            }
            seen[code.lowercased()] = line
            if level == nil && product.tracking != "none" {
                throw PullError(.config, "\(file):\(line): SKU \"\(code)\" has no \(levelName) though its product tracks inventory")
            }
            var row = JSONObjectText()
            row.string("sku", code)
            row.int("available", level ?? 0)
            row.string("tracking", product.tracking)
            row.bool("purchasable", product.purchasable)
            out.append(row.line())
        }
        for product in products {
            if product.variants.isEmpty {
                try emit(product.sku, line: product.line, level: product.level, product: product)
            } else {
                for v in product.variants {
                    try emit(v.sku, line: v.line, level: product.tracking == "product" ? product.level : v.level, product: product)
                }
            }
        }
        return out
    }

    /// The records of a CSV text with their first line numbers: lines are joined while a quoted
    /// cell is open (Excel writes line breaks inside quotes), then split into cells.
    static func records(_ text: String, file: String) throws(PullError) -> [(Int, [String])] {
        var out: [(Int, [String])] = []
        var pending = "", start = 0, quotes = 0, lineNumber = 0
        // "\r\n" is one Character in Swift: split on it and on "\n" alike.
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            lineNumber += 1
            if pending.isEmpty && quotes == 0 { start = lineNumber } else { pending += "\n" }
            pending += line
            quotes += line.utf8.count { $0 == UInt8(ascii: "\"") }
            guard quotes % 2 == 0 else { continue }
            switch CSVReader.split(pending) {
            case .success(let cells): out.append((start, cells))
            case .failure(let e): throw PullError(.config, "\(file):\(start): \(e.message)")
            }
            pending = ""
            quotes = 0
        }
        if quotes % 2 == 1 { throw PullError(.config, "\(file):\(start): a quoted cell is never closed") }
        return out.filter { !($0.1.count == 1 && $0.1[0].isEmpty) }
    }
}
