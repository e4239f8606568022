import PulseExpressions
import PulseSnapshot

/// BigCommerce -> `stock.jsonl` (connectors.md): catalog products with their variants, paged
/// 250 at a time; with `stock_from: inventory`, levels from the Inventory API summed over the
/// chosen locations. One row per variant with a SKU; SKUs unique regardless of letter case.
struct BigCommercePull {
    let client: BigCommerceClient
    let stockFrom: StockSourceChoice
    /// Pages fetched at once after the first.
    let width: Int

    enum StockSourceChoice: Sendable {
        case catalog
        /// Sum `available_to_sell` over these locations (nil: every enabled location).
        case inventory(locations: Set<Int64>?)
    }

    static let productPageSize = 250
    static let inventoryPageSize = 1000

    /// Writes every stock row to `file`.
    func pull(into file: RowFile) async throws(PullError) {
        var inventory: InventoryLevels?
        if case .inventory(let locations) = stockFrom {
            inventory = try await pullInventory(locations: locations)
        }
        var seen: [String: String] = [:]  // lowercased SKU -> where it was first seen
        let first = try await productPage(1)
        try write(first.products, page: 1, inventory: inventory, seen: &seen, into: file)
        let site = CallSite(source: "bigcommerce", call: "GET /v3/catalog/products", scope: "page 1")
        let plan = try PagePlan(totalPages: first.totalPages, total: first.total, pageSize: first.pageSize, fullPage: first.pageSize, site: site)
        client.stats.expect(pages: plan.unbounded ? 1 : plan.pages)
        guard !plan.isLast(page: 1, count: first.products.count) else { return }
        let client = self
        // Pages 2... are asked for a window at a time (never laid out as one list), and the first
        // empty or short page ends the catalogue even when total_pages said more (a known
        // BigCommerce bug, and a hostile count must not make a million calls).
        var last = (page: 1, count: first.products.count)
        try await forEachInOrder(lazy: 2...plan.pages, width: width) { (page: Int) async throws(PullError) -> ProductPage in
            try await client.productPage(page)
        } consume: { (page: Int, result: ProductPage) throws(PullError) -> Bool in
            last = (page, result.products.count)
            try write(result.products, page: page, inventory: inventory, seen: &seen, into: file)
            return !plan.isLast(page: page, count: result.products.count)
        }
        try plan.checkEnd(page: last.page, count: last.count,
                          site: CallSite(source: "bigcommerce", call: "GET /v3/catalog/products", scope: "page \(last.page)"))
    }

    struct ProductPage: Sendable {
        var products: [JSONValue]
        /// `meta.pagination.total_pages` and `total`, when the answer has them.
        var totalPages: Int64?
        var total: Int64?
        /// The items of a full page: `per_page`, or the limit asked for.
        var pageSize: Int
    }

    private func productPage(_ page: Int) async throws(PullError) -> ProductPage {
        let scope = "page \(page)"
        let json = try await client.get("/catalog/products", query: [
            ("include", "variants"), ("limit", String(Self.productPageSize)), ("page", String(page)),
        ], scope: scope)
        client.stats.page()
        let site = CallSite(source: "bigcommerce", call: "GET /v3/catalog/products", scope: scope)
        guard case .array(let products)? = json["data"] else {
            throw site.failure(status: 200, json["data"].map { "\"data\" is \($0.kindName), not an array" } ?? "the response has no \"data\" array")
        }
        let pagination = json["meta"]?["pagination"]
        return ProductPage(products: products, totalPages: pagination?["total_pages"]?.int64, total: pagination?["total"]?.int64,
                           pageSize: PagePlan.pageSize(said: pagination?["per_page"], asked: Self.productPageSize))
    }

    private func write(_ products: [JSONValue], page: Int, inventory: InventoryLevels?, seen: inout [String: String], into file: RowFile) throws(PullError) {
        let site = CallSite(source: "bigcommerce", call: "GET /v3/catalog/products", scope: "page \(page)")
        for product in products {
            guard case .object = product else { throw site.failure("a product is \(product.kindName), not an object") }
            guard let idValue = product["id"] else { throw site.failure("a product has no \"id\"") }
            guard let id = idValue.int64 else {
                throw site.failure("product id \(Self.shown(idValue)) does not fit a 64-bit integer")
            }
            let what = "product \(id)"
            let tracking = product["inventory_tracking"]?.text ?? "none"
            guard ["none", "product", "variant"].contains(tracking) else {
                throw site.failure("\(what): unknown inventory_tracking \"\(tracking)\" (expected none, product or variant)")
            }
            let disabled = product["availability"]?.text == "disabled"
            var updated: String?
            if let modified = product["date_modified"]?.text {
                guard let t = CELTimestamp(parsing: modified) else {
                    throw site.failure("\(what): date_modified \"\(modified)\" is not an RFC 3339 time")
                }
                updated = t.description
            }
            guard let variants = product["variants"]?.list(item: "variant") else {
                throw site.failure("\(what) has no \"variants\" array (the request asks for include=variants)")
            }
            for variant in variants {
                guard let sku = variant["sku"]?.text, !sku.isEmpty else { continue }
                let variantWhat = "\(what), variant \(variant["id"]?.int64.map(String.init) ?? "?") (SKU \"\(sku)\")"
                let key = sku.lowercased()
                if let first = seen[key] {
                    throw site.failure("SKU \"\(sku)\" of \(variantWhat) repeats \(first); BigCommerce SKUs are unique regardless of letter case, so this is a data error to fix in BigCommerce")
                }
                seen[key] = "the SKU of \(variantWhat)"
                let level: Int64?
                if let inventory {
                    level = inventory.level(sku: sku, variantID: variant["id"]?.int64)
                    if level == nil && tracking != "none" {
                        throw site.failure("\(variantWhat) has no item in the Inventory API (GET /v3/inventory/items); its stock is unknown")
                    }
                } else {
                    let source = tracking == "product" ? product["inventory_level"] : variant["inventory_level"]
                    level = source?.int64
                    if level == nil && tracking != "none" {
                        throw site.failure("\(variantWhat) has no inventory_level though inventory is tracked by \(tracking)")
                    }
                }
                var row = JSONObjectText()
                row.string("sku", sku)
                row.int("available", level ?? 0)
                row.string("tracking", tracking)
                row.bool("purchasable", !disabled && variant["purchasing_disabled"] != .bool(true))
                if let updated { row.string("updated_at", updated) }
                try file.append(row.line())
            }
        }
    }

    static func shown(_ value: JSONValue) -> String {
        switch value {
        case .double(let d): String(d)
        case .string(let s): "\"\(s.prefix(40))\""
        default: value.kindName
        }
    }

    // MARK: Inventory API

    /// Stock by SKU (lowercased) and by variant id.
    struct InventoryLevels {
        var bySKU: [String: Int64] = [:]
        var byVariant: [Int64: Int64] = [:]

        func level(sku: String, variantID: Int64?) -> Int64? {
            bySKU[sku.lowercased()] ?? variantID.flatMap { byVariant[$0] }
        }
    }

    private func pullInventory(locations: Set<Int64>?) async throws(PullError) -> InventoryLevels {
        var levels = InventoryLevels()
        var page = 1
        var plan: PagePlan?
        while true {
            let scope = "page \(page)"
            let site = CallSite(source: "bigcommerce", call: "GET /v3/inventory/items", scope: scope)
            let json = try await client.get("/inventory/items", query: [("limit", String(Self.inventoryPageSize)), ("page", String(page))], scope: scope)
            client.stats.page()
            guard case .array(let items)? = json["data"] else { throw site.failure(status: 200, "the response has no \"data\" array") }
            for item in items {
                var sum: Int64 = 0
                for location in item["locations"]?.list(item: "location") ?? [] {
                    guard let id = location["location_id"]?.int64 else { throw site.failure("an inventory location has no location_id") }
                    let chosen = locations.map { $0.contains(id) } ?? (location["location_enabled"] != .bool(false))
                    guard chosen else { continue }
                    guard let available = location["available_to_sell"]?.int64 else {
                        throw site.failure("location \(id) of an inventory item has no available_to_sell")
                    }
                    let (s, overflow) = sum.addingReportingOverflow(available)
                    guard !overflow else { throw site.failure("available_to_sell overflows a 64-bit integer") }
                    sum = s
                }
                let identity = item["identity"]
                if let sku = identity?["sku"]?.text, !sku.isEmpty { levels.bySKU[sku.lowercased()] = sum }
                if let variant = identity?["variant_id"]?.int64 { levels.byVariant[variant] = sum }
            }
            // Paged by meta.pagination when it is there; `meta: {}` pages until a short page.
            if plan == nil {
                let pagination = json["meta"]?["pagination"]
                let size = PagePlan.pageSize(said: pagination?["per_page"], asked: Self.inventoryPageSize)
                let made = try PagePlan(totalPages: pagination?["total_pages"]?.int64, total: pagination?["total"]?.int64,
                                        pageSize: size, fullPage: size, site: site)
                client.stats.expect(pages: made.unbounded ? 1 : made.pages)
                plan = made
            }
            guard let next = try plan?.nextPage(after: page, count: items.count, site: site) else { break }
            page = next
        }
        return levels
    }
}
