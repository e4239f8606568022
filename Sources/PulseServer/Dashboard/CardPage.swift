import Foundation
import PulseConfig
import PulseEngine
import PulseExpressions
import PulseHistory
import PulseReport

/// How worklist cells read on the dashboard: a listing id links to its AliExpress item page with
/// the listing's title beside it; a SKU links to the BigCommerce control panel's product list
/// searched for it, when the profile's `sources.bigcommerce.store_hash` is known.
struct WorklistCells {
    enum Kind { case plain, listing, sku }

    let kinds: [Kind]
    let worklist: Worklist
    let storeHash: String?

    init(_ r: CardResult, storeHash: String?) {
        worklist = r.rows
        // A hash is letters and digits; anything else (an unresolved ${VAR}) makes no link.
        self.storeHash = storeHash.flatMap { h in !h.isEmpty && h.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } ? h : nil }
        let expressions = Dictionary(r.card.rows.map { ($0.name.value, $0.expression.text.trimmingCharacters(in: .whitespacesAndNewlines)) }) { a, _ in a }
        kinds = r.rows.columns.map { column in
            switch expressions[column] ?? "" {
            case "listing.id", "event.listing_id": .listing
            case "sku.code", "bc.sku": .sku
            default: .plain
            }
        }
    }

    /// `https://www.aliexpress.com/item/<id>.html` for an id of digits.
    static func aliExpressItem(_ id: String) -> String? {
        !id.isEmpty && id.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) ? "https://www.aliexpress.com/item/\(id).html" : nil
    }

    /// The control panel's product list searched for `sku`.
    static func bigCommerceProducts(storeHash: String, sku: String) -> String? {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        guard let q = sku.addingPercentEncoding(withAllowedCharacters: allowed), !sku.isEmpty else { return nil }
        return "https://store-\(storeHash).mybigcommerce.com/manage/products?keywords=\(q)"
    }

    /// The cells of one row, each `{text, link, linkLabel, listingTitle}` (columns `only` the first N).
    func cells(_ values: [Value], only: Int? = nil) -> [[String: Any]] {
        let n = min(values.count, only ?? values.count)
        return (0..<n).map { i in
            let value = values[i]
            // Every key is set (false when absent): Mustache would otherwise find the card's own.
            var cell: [String: Any] = ["text": EvalReport.cell(value), "link": false, "linkLabel": "", "listingTitle": false]
            guard i < kinds.count, case .string(let text) = value else { return cell }
            switch kinds[i] {
            case .listing:
                if let href = Self.aliExpressItem(text) { cell["link"] = href; cell["linkLabel"] = "AliExpress listing \(text)" }
                if let title = worklist.listingTitle(id: text), !title.isEmpty { cell["listingTitle"] = title }
            case .sku:
                if let storeHash, let href = Self.bigCommerceProducts(storeHash: storeHash, sku: text) {
                    cell["link"] = href
                    cell["linkLabel"] = "BigCommerce products matching \(text)"
                }
            case .plain: break
            }
            return cell
        }
    }
}

/// A card's own page (`/cards/{key}`): the whole worklist a page at a time, sortable by column;
/// the breakdown; the recorded history as a chart with dates and the trigger lines; the alert's
/// transitions; and the card's definition.
enum CardPage {
    static let pageSize = 50
    static let transitionsShown = 50

    /// How the worklist is asked for: `?page=N&sort=COLUMN&dir=asc|desc`.
    struct Order: Equatable {
        var page = 1
        var sort: String?
        var descending = false
    }

    /// The order a query asks for; an unknown column or direction is ignored (the default order).
    static func order(page: String?, sort: String?, dir: String?, columns: [String]) -> Order {
        var order = Order()
        if let page, let n = Int(page), n >= 1 { order.page = n }
        if let sort, columns.contains(sort) { order.sort = sort }
        order.descending = dir == "desc"
        return order
    }

    /// The worklist's row indices in `order` (all of them; the page is cut from this).
    static func sortedIndices(_ rows: Worklist, _ order: Order) -> [Int] {
        guard let sort = order.sort, let column = rows.columns.firstIndex(of: sort) else { return Array(0..<rows.count) }
        var keys: [SortKey] = []
        keys.reserveCapacity(rows.count)
        rows.forEachRow { _, cells in keys.append(column < cells.count ? SortKey(cells[column]) : .none) }
        return Array(0..<rows.count).sorted { a, b in
            let (ka, kb) = (keys[a], keys[b])
            // Missing values go last either way; ties keep the worklist's order.
            if ka.isNone != kb.isNone { return kb.isNone }
            if ka == kb { return a < b }
            return order.descending ? kb < ka : ka < kb
        }
    }

    /// A cell as a sort key: numbers by value, times by instant, durations by length, text as text.
    enum SortKey: Comparable {
        case number(Double)
        case text(String)
        case none

        init(_ value: Value) {
            switch value {
            case .int(let i): self = .number(Double(i))
            case .double(let d): self = d.isNaN ? .none : .number(d)
            case .timestamp(let t): self = .number(Double(t.seconds))
            case .duration(let d): self = .number(Double(d.nanoseconds))
            case .bool(let b): self = .number(b ? 1 : 0)
            case .string(let s): self = .text(s)
            case .null: self = .none
            default: self = .text(EvalReport.cell(value))
            }
        }

        var isNone: Bool { self == .none }
    }

    /// The card's definition, as lines of `{name, value}`.
    static func definition(_ r: CardResult, trigger: String?) -> [[String: Any]] {
        let card = r.card
        var out: [(String, String)] = []
        if let d = card.description, !d.isEmpty { out.append(("What it counts", d)) }
        out.append(("From", card.from.rawValue))
        out.append(("Where", card.filter?.text ?? "every row"))
        var measure = card.measure.name
        if let argument = card.measure.argument { measure += "(\(argument.text))" }
        out.append(("Measure", measure))
        if let g = card.groupBy { out.append(("Breakdown by", g.text)) }
        if let w = card.rowsWhere { out.append(("Worklist rows where", w.text)) }
        out.append(("Window", r.settings.window))
        out.append(("Trigger", trigger ?? "no alert set"))
        out.append(("Who sees it", r.settings.roles.joined(separator: ", ")))
        out.append(("Class", card.cardClass == .hero ? "hero" : "non-hero"))
        return out.map { ["name": $0.0, "value": $0.1] }
    }

    /// The thresholds to draw on the history chart.
    static func lines(_ r: CardResult) -> [HistoryChart.Line] {
        guard let alert = r.settings.alert else { return [] }
        var out: [HistoryChart.Line] = []
        if let warn = alert.warn { out.append(.init(value: warn.threshold, label: "warn \(warn)")) }
        if let critical = alert.trigger { out.append(.init(value: critical.threshold, label: (alert.warn == nil ? "alert " : "critical ") + critical.description)) }
        return out
    }

    /// The worklist part of the model: a page of rows in `order`, the headers as sort links, and
    /// the links to the other pages.
    static func worklistModel(_ r: CardResult, order: Order, cells: WorklistCells, key: String) -> [String: Any] {
        let rows = r.rows
        guard rows.count > 0 else { return [:] }
        let pages = max(1, (rows.count + pageSize - 1) / pageSize)
        let page = min(order.page, pages)
        let indices = sortedIndices(rows, order)
        let range = (page - 1) * pageSize..<min(rows.count, page * pageSize)
        var shown: [[String: Any]] = []
        for i in indices[range] {
            rows.forEachRow(in: i..<i + 1) { _, values in shown.append(["cells": cells.cells(values)]) }
        }
        func query(page: Int, sort: String?, descending: Bool) -> String {
            var parts: [String] = []
            if let sort { parts.append("sort=" + encode(sort)); parts.append("dir=" + (descending ? "desc" : "asc")) }
            if page > 1 { parts.append("page=\(page)") }
            return "/cards/\(key)" + (parts.isEmpty ? "" : "?" + parts.joined(separator: "&")) + "#worklist"
        }
        let headers: [[String: Any]] = rows.columns.map { column in
            let active = order.sort == column
            let next = active ? !order.descending : false
            var h: [String: Any] = ["name": column, "href": query(page: 1, sort: column, descending: next),
                                    "ariaSort": active ? (order.descending ? "descending" : "ascending") : "none",
                                    "sortLabel": "sort by \(column) \(next ? "descending" : "ascending")"]
            if active { h["arrow"] = order.descending ? "▼" : "▲" }
            return h
        }
        var model: [String: Any] = [
            "hasRows": true, "headers": headers, "rows": shown, "rowCount": EvalReport.groupThousands(Int64(rows.count)),
            "oneRow": rows.count == 1, "firstShown": EvalReport.groupThousands(Int64(range.lowerBound + 1)),
            "lastShown": EvalReport.groupThousands(Int64(range.upperBound)), "page": page, "pages": pages,
        ]
        if pages > 1 {
            model["paged"] = true
            if page > 1 { model["previous"] = query(page: page - 1, sort: order.sort, descending: order.descending) }
            if page < pages { model["next"] = query(page: page + 1, sort: order.sort, descending: order.descending) }
            // The first, the last and the pages near this one.
            let near = Set([1, pages] + Array(max(1, page - 2)...min(pages, page + 2)))
            model["pageLinks"] = near.sorted().map { n -> [String: Any] in
                var link: [String: Any] = ["number": n, "href": query(page: n, sort: order.sort, descending: order.descending)]
                if n == page { link["current"] = true }
                return link
            }
        }
        return model
    }

    static func encode(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    /// The history part: the chart and the transitions, newest first, in the profile's zone.
    static func historyModel(_ r: CardResult, points: [SeriesPoint], transitions: [AlertTransition], timeZone: String, now: Int64) -> [String: Any] {
        let series: [(at: CELTimestamp, value: Double?)] = points.compactMap { p in
            CELTimestamp(parsing: p.takenAt).map { ($0, p.missing == nil ? p.value : nil) }
        }
        var model: [String: Any] = [:]
        let chart = HistoryChart.svg(series, lines: lines(r), unit: r.card.unit, timeZone: timeZone)
        if !chart.isEmpty { model["chart"] = chart }
        model["recorded"] = "\(EvalReport.groupThousands(Int64(points.count))) recorded value\(points.count == 1 ? "" : "s")"
        let shown = transitions.prefix(transitionsShown)
        model["transitions"] = shown.map { t -> [String: Any] in
            let at = CELTimestamp(parsing: t.at)
            return ["at": at.map { DashboardRoutes.localTime($0.seconds, now: now, timeZone: timeZone) } ?? t.at, "atISO": t.at,
                    "line": "\(t.from) → \(t.to)\(t.to == "resolved" ? "" : t.severity.map { " \($0.rawValue)" } ?? "") (value \(EvalReport.display(t.value)))",
                    "reason": t.readableReason]
        }
        model["hasTransitions"] = !shown.isEmpty
        return model
    }
}
