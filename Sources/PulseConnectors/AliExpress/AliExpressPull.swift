import PulseConfig
import PulseExpressions
import PulseSnapshot

/// AliExpress -> `listings.jsonl`, `freight_templates.jsonl`, `audit_events.jsonl`
/// (connectors.md): the product list of every status, details only for new or changed listings,
/// freight templates with their countries, audit events from the diff with the previous
/// snapshot (carried forward for 7 days), reasons from the product diagnosis API.
struct AliExpressPull {
    let client: AliExpressClient
    let statuses: [AliExpressStatus]
    /// Seconds east of UTC of the `gmt_*` times.
    let timeOffset: Int
    let takenAt: CELTimestamp
    let previous: PreviousSnapshot?
    /// Calls in flight at once.
    let width: Int

    static let listPageSize = 99
    static let listCall = "aliexpress.solution.product.list.get"
    static let detailCall = "aliexpress.solution.product.info.get"
    static let diagnosisPageSize = 50
    static let carryForward: Int64 = 7 * 86_400

    /// What the pull wrote, for the counts in snapshot.json.
    struct Outcome {
        var detailCalls = 0
        var reusedDetails = 0
    }

    /// One listing as the product list gives it.
    struct ListedItem: Sendable {
        var id: Int64
        var status: String
        var title: String?
        var gmtModified: String?
        var gmtCreate: String?
        var offlineDate: String?
        var freightTemplate: String?
    }

    /// Writes the listings and templates, and the audit events when `events` is given (there is
    /// a previous snapshot to compare with).
    func pull(listings: RowFile, templates: RowFile, events: RowFile?) async throws(PullError) -> Outcome {
        var outcome = Outcome()
        let items = try await listAll()
        let rejected = items.contains { $0.status == "rejected" }
        let reasons = rejected ? try await diagnosisReasons() : [:]

        // Details for new or changed listings only; the rest keep the previous snapshot's.
        var usedTemplates: [String: Int64] = [:]
        var statusNow: [(id: String, status: String)] = []
        statusNow.reserveCapacity(items.count)
        let client = self.client
        let offset = timeOffset
        try await forEachInOrder(items, width: width) { (item: ListedItem) async throws(PullError) -> JSONValue? in
            if let prev = previousRow(item), prev.updatedAt == (try Self.utc(item.gmtModified, offset, "gmt_modified", item.id)) {
                return nil
            }
            let scope = "product \(item.id)"
            let json = try await client.call("aliexpress.solution.product.info.get", [("product_id", String(item.id))], scope: scope)
            guard let result = json["result"], case .object = result else {
                throw CallSite(source: "aliexpress", call: "aliexpress.solution.product.info.get", scope: scope).failure("the response has no \"result\" object")
            }
            if result["success"] == .bool(false) {
                throw CallSite(source: "aliexpress", call: "aliexpress.solution.product.info.get", scope: scope)
                    .failure(code: result["error_code"]?.text, result["error_message"]?.text ?? result["error_msg"]?.text ?? "success: false")
            }
            return result
        } consume: { (item: ListedItem, detail: JSONValue?) throws(PullError) in
            let id = String(item.id)
            var row = JSONObjectText()
            row.string("id", id)
            row.string("title", item.title)
            row.string("status", item.status)
            let updated = try Self.utc(item.gmtModified, offset, "gmt_modified", item.id)
            if let detail {
                outcome.detailCalls += 1
                let template = detail["freight_template_id"]?.int64.map(String.init) ?? item.freightTemplate
                row.string("category_id", detail["category_id"]?.int64.map(String.init) ?? detail["category_id"]?.text)
                row.string("freight_template_id", template)
                row.raw("ship_to", Array("null".utf8))
                row.string("created_at", try Self.utc(detail["gmt_create"]?.text ?? item.gmtCreate, offset, "gmt_create", item.id, call: detail["gmt_create"]?.text == nil ? Self.listCall : Self.detailCall))
                row.string("updated_at", try Self.utc(detail["gmt_modified"]?.text ?? item.gmtModified, offset, "gmt_modified", item.id, call: detail["gmt_modified"]?.text == nil ? Self.listCall : Self.detailCall))
                row.string("expires_at", try Self.utc(detail["ws_offline_date"]?.text ?? item.offlineDate, offset, "ws_offline_date", item.id, call: detail["ws_offline_date"]?.text == nil ? Self.listCall : Self.detailCall))
                row.string("rejection_reason", item.status == "rejected" ? reasons[item.id] : nil)
                row.raw("skus", try Self.skus(detail, product: item.id))
                if let template { usedTemplates[template] = item.id }
            } else if let prev = previousRow(item) {
                outcome.reusedDetails += 1
                let template = item.freightTemplate ?? prev.freightTemplateID
                row.raw("category_id", prev.categoryID)
                row.string("freight_template_id", template)
                row.raw("ship_to", prev.shipTo)
                row.raw("created_at", prev.createdAt)
                row.string("updated_at", updated)
                row.string("expires_at", try Self.utc(item.offlineDate, offset, "ws_offline_date", item.id) ?? prev.expiresAt)
                row.string("rejection_reason", item.status == "rejected" ? reasons[item.id] : nil)
                row.raw("skus", prev.skus)
                if let template { usedTemplates[template] = item.id }
            }
            try listings.append(row.line())
            statusNow.append((id, item.status))
        }

        try await pullTemplates(used: usedTemplates, into: templates)
        if let events { try writeEvents(statusNow, reasons: reasons, into: events) }
        return outcome
    }

    private func previousRow(_ item: ListedItem) -> PreviousSnapshot.Listing? {
        previous?.listings[String(item.id)]
    }

    // MARK: Product lists

    /// Every listing of every status pulled, in status then page order; a listing that moved
    /// between lists while they were paged is kept once, under the first list that had it.
    private func listAll() async throws(PullError) -> [ListedItem] {
        var items: [ListedItem] = []
        var seen = Set<Int64>()
        for status in statuses {
            var page = 1
            var plan: PagePlan?
            while true {
                let scope = "status \(status.rawValue), page \(page)"
                let site = CallSite(source: "aliexpress", call: "aliexpress.solution.product.list.get", scope: scope)
                let query = "{\"product_status_type\":\"\(status.rawValue)\",\"current_page\":\(page),\"page_size\":\(Self.listPageSize)}"
                let json = try await client.call("aliexpress.solution.product.list.get", [("aeop_a_e_product_list_query", query)], scope: scope)
                client.stats.page()
                guard let result = json["result"], case .object = result else { throw site.failure("the response has no \"result\" object") }
                if result["success"] == .bool(false) {
                    throw site.failure(code: result["error_code"]?.text, result["error_message"]?.text ?? result["error_msg"]?.text ?? "success: false")
                }
                let listed = result["aeop_a_e_product_display_d_t_o_list"] ?? .null
                guard let rows = listed.list(item: "item_display_dto") else {
                    throw site.failure("aeop_a_e_product_display_d_t_o_list is \(listed.kindName), not a list of item_display_dto")
                }
                for row in rows {
                    guard let idValue = row["product_id"] else { throw site.failure("an item has no product_id") }
                    guard let id = idValue.int64 else {
                        throw site.failure("product_id \(BigCommercePull.shown(idValue)) does not fit a 64-bit integer")
                    }
                    guard seen.insert(id).inserted else { continue }
                    items.append(ListedItem(
                        id: id, status: Self.snapshotStatus(status, wsDisplay: row["ws_display"]?.text),
                        title: row["subject"]?.text, gmtModified: row["gmt_modified"]?.text, gmtCreate: row["gmt_create"]?.text,
                        offlineDate: row["ws_offline_date"]?.text, freightTemplate: row["freight_template_id"]?.int64.map(String.init)))
                }
                // Counts read once, from the list's first page: a page past them, an empty page or
                // a short one ends the list (PagePlan).
                if plan == nil {
                    let made = try PagePlan(totalPages: result["total_page"]?.int64, total: result["product_count"]?.int64,
                                            pageSize: Self.listPageSize, fullPage: Self.listPageSize, site: site)
                    client.stats.expect(pages: made.unbounded ? 1 : made.pages)
                    plan = made
                }
                guard let next = try plan?.nextPage(after: page, count: rows.count, site: site) else { break }
                page = next
            }
        }
        return items
    }

    /// snapshot-format.md's mapping of AliExpress's statuses.
    static func snapshotStatus(_ status: AliExpressStatus, wsDisplay: String?) -> String {
        switch status {
        case .onSelling: "active"
        case .auditing: "auditing"
        case .editingRequired: "rejected"
        case .offline: wsDisplay == "expire_offline" ? "expired" : "offline"
        }
    }

    /// A `gmt_*` time (`2018-12-03 15:17:33`, in the profile's offset, China time by default) as
    /// RFC 3339 UTC; nil when absent.
    static func utc(_ text: String?, _ offset: Int, _ field: String, _ product: Int64, call: String = listCall) throws(PullError) -> String? {
        guard let text, !text.isEmpty else { return nil }
        let b = Array(text.utf8)
        let shape = b.count == 19 && b[4] == 0x2D && b[7] == 0x2D && b[10] == 0x20 && b[13] == 0x3A && b[16] == 0x3A
        let sign = offset < 0 ? "-" : "+"
        let hours = abs(offset) / 3600, minutes = abs(offset) % 3600 / 60
        let zone = sign + (hours < 10 ? "0" : "") + String(hours) + ":" + (minutes < 10 ? "0" : "") + String(minutes)
        if shape, let t = CELTimestamp(parsing: String(text.prefix(10)) + "T" + String(text.suffix(8)) + zone) {
            return t.description
        }
        // Already RFC 3339 (some gateways answer so): kept as the moment it names.
        if let t = CELTimestamp(parsing: text) { return t.description }
        throw PullError(.source, source: "aliexpress", call: call, scope: "product \(product)",
                        "\(field) \"\(text.prefix(40))\" is not a time as yyyy-MM-dd HH:mm:ss")
    }

    /// A detail's SKUs as the snapshot's `skus` array.
    static func skus(_ detail: JSONValue, product: Int64) throws(PullError) -> [UInt8] {
        let site = CallSite(source: "aliexpress", call: "aliexpress.solution.product.info.get", scope: "product \(product)")
        let list = detail["aeop_ae_product_s_k_us"] ?? .null
        guard let skus = list.list(item: "global_aeop_ae_product_sku") else {
            throw site.failure("aeop_ae_product_s_k_us is \(list.kindName), not a list of global_aeop_ae_product_sku")
        }
        var out: [UInt8] = [UInt8(ascii: "[")]
        for (i, sku) in skus.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            var row = JSONObjectText()
            row.string("code", sku["sku_code"]?.text ?? "")
            guard let stock = sku["ipm_sku_stock"]?.int64, stock >= 0 else {
                throw site.failure("SKU \"\(sku["sku_code"]?.text ?? "?")\" has no ipm_sku_stock (a whole number of at least 0)")
            }
            row.int("stock", stock)
            if let price = sku["sku_price"]?.text { row.string("price", price) }
            out.append(contentsOf: row.text())
        }
        out.append(UInt8(ascii: "]"))
        return out
    }

    // MARK: Diagnosis reasons

    /// Product id -> problem type, from `aliexpress.product.diagnosis.pageQueryProblem`.
    private func diagnosisReasons() async throws(PullError) -> [Int64: String] {
        var reasons: [Int64: String] = [:]
        var page = 1
        var plan: PagePlan?
        while true {
            let scope = "page \(page)"
            let site = CallSite(source: "aliexpress", call: "aliexpress.product.diagnosis.pageQueryProblem", scope: scope)
            let json = try await client.call("aliexpress.product.diagnosis.pageQueryProblem", [
                ("current_page", String(page)), ("page_size", String(Self.diagnosisPageSize)),
            ], scope: scope)
            let body = json["result"] ?? json
            if body["success"] == .bool(false) {
                throw site.failure(code: body["error_code"]?.text, body["error_message"]?.text ?? "success: false")
            }
            let listed = body["problematic_product_list"] ?? .null
            guard let rows = listed.list(item: "problematic_product") else {
                throw site.failure("problematic_product_list is \(listed.kindName), not a list")
            }
            for row in rows {
                guard let id = row["product_id"]?.int64, let type = row["product_problem"]?["problem_type"]?.text else { continue }
                if reasons[id] == nil { reasons[id] = type }
            }
            // Capped by total_count (and PagePlan's hard limit); only an empty page ends it early,
            // since the platform may hold a page to fewer than the page_size asked for.
            if plan == nil {
                let size = PagePlan.pageSize(said: body["page_size"], asked: Self.diagnosisPageSize)
                plan = try PagePlan(totalPages: nil, total: body["total_count"]?.int64, pageSize: size, fullPage: nil, site: site)
            }
            guard let next = try plan?.nextPage(after: page, count: rows.count, site: site) else { break }
            page = next
        }
        return reasons
    }

    // MARK: Freight templates

    private func pullTemplates(used: [String: Int64], into file: RowFile) async throws(PullError) {
        let site = CallSite(source: "aliexpress", call: "aliexpress.freight.redefining.listfreighttemplate", scope: nil)
        let json = try await client.call("aliexpress.freight.redefining.listfreighttemplate", [], scope: nil)
        if json["result_success"] == .bool(false) {
            throw site.failure(json["result_error_desc"]?.text ?? "result_success: false")
        }
        let listed = json["aeop_freight_template_d_t_o_list"] ?? .null
        guard let rows = listed.list(item: "aeopfreighttemplatedtolist") else {
            throw site.failure("aeop_freight_template_d_t_o_list is \(listed.kindName), not a list")
        }
        var templates: [(id: Int64, name: String?)] = []
        for row in rows {
            guard let idValue = row["template_id"] else { throw site.failure("a template has no template_id") }
            guard let id = idValue.int64 else { throw site.failure("template_id \(BigCommercePull.shown(idValue)) does not fit a 64-bit integer") }
            templates.append((id, row["template_name"]?.text))
        }
        let known = Set(templates.map { String($0.id) })
        if let (template, product) = used.first(where: { !known.contains($0.key) }) {
            throw PullError(.source, source: "aliexpress", call: "aliexpress.freight.redefining.listfreighttemplate",
                            "freight template \(template), used by product \(product), no longer exists (it is not among the \(templates.count) templates listed); reassign the listing's template in AliExpress")
        }
        let client = self.client
        try await forEachInOrder(templates, width: width) { (template: (id: Int64, name: String?)) async throws(PullError) -> [String] in
            let scope = "template \(template.id)"
            let call = "aliexpress.freight.redefining.getfreightsettingbytemplatequery"
            let site = CallSite(source: "aliexpress", call: call, scope: scope)
            let json = try await client.call(call, [("template_id", String(template.id))], scope: scope)
            if json["is_success"] == .bool(false) {
                throw site.failure(json["error_desc"]?.text ?? "is_success: false (the template may no longer exist)")
            }
            let settings = json["freight_setting_list"] ?? .null
            guard let items = settings.list(item: "aeop_freight_setting") else {
                throw site.failure("freight_setting_list is \(settings.kindName), not a list")
            }
            return try Self.countries(items, site: site)
        } consume: { (template: (id: Int64, name: String?), countries: [String]) throws(PullError) in
            var row = JSONObjectText()
            row.string("id", String(template.id))
            row.string("name", template.name)
            row.strings("countries", countries)
            try file.append(row.line())
        }
    }

    /// The destinations of a template's settings: the `*_country` fields under `template` or at
    /// the top of each item (both layouts are seen), and the self-defined lists; each value a
    /// list of ISO codes separated by commas, semicolons or spaces (or a JSON array).
    static func countries(_ items: [JSONValue], site: CallSite) throws(PullError) -> [String] {
        var out: [String] = []
        var seen = Set<String>()
        func add(_ value: JSONValue?) throws(PullError) {
            guard let value else { return }
            var texts: [String] = []
            switch value {
            case .string(let s): texts = s.split(whereSeparator: { $0 == "," || $0 == ";" || $0 == " " }).map(String.init)
            case .array(let a): texts = a.compactMap(\.text)
            case .null: return
            default: throw site.failure("a country field is \(value.kindName), not a list of codes")
            }
            for code in texts {
                let code = code.trimmingCharacters(in: .whitespaces).uppercased()
                if code.isEmpty { continue }
                guard CountryCodes.isValid(code) else {
                    throw site.failure("\"\(code.prefix(20))\" is not an ISO 3166-1 alpha-2 country code")
                }
                if seen.insert(code).inserted { out.append(code) }
            }
        }
        let fields = ["standard_shipping_country", "free_shipping_country", "all_free_shipping_country"]
        for item in items {
            for holder in [item, item["template"] ?? .null] {
                for field in fields { try add(holder[field]) }
            }
            for custom in item["selfdefine_list"]?.list(item: "aeop_freight_selfdefine") ?? [] { try add(custom["shipping_country"]) }
            for standard in item["selfstandard_list"]?.list(item: "aeop_freight_selfdefine_standard") ?? [] {
                try add(standard["self_standard_country"])
            }
        }
        return out
    }

    // MARK: Audit events

    /// An event for every listing whose status differs from the previous snapshot's (or that is
    /// new since it and not active), after the previous snapshot's events younger than 7 days.
    private func writeEvents(_ statuses: [(id: String, status: String)], reasons: [Int64: String], into file: RowFile) throws(PullError) {
        let at = takenAt.description
        if let previous {
            let cutoff = takenAt.seconds - Self.carryForward
            for event in previous.events {
                guard let when = event["at"]?.text.flatMap(CELTimestamp.init(parsing:)), when.seconds > cutoff, when <= takenAt else { continue }
                try file.append(event.jsonText() + [0x0A])
            }
        }
        for (id, status) in statuses {
            let before = previous?.listings[id]?.status
            if before == status || (before == nil && status == "active") { continue }
            var row = JSONObjectText()
            row.string("listing_id", id)
            row.string("at", at)
            if let before { row.string("from", before) }
            row.string("to", status)
            row.string("reason", status == "rejected" ? Int64(id).flatMap { reasons[$0] } : nil)
            try file.append(row.line())
        }
    }
}
