import Crypto
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// A loopback fake of BigCommerce's REST v3 and AliExpress's `/sync` gateway, speaking their
/// real envelopes (connectors-research.md): BigCommerce `{data, meta.pagination}` with relative
/// links and no `next` on the last page, `x-rate-limit-*` headers, `text/plain` 401s; AliExpress
/// `<method>_response` wrappers with double-wrapped lists and `error_response` with HTTP 200,
/// and a signature check done the way the platform does it.
final class FakeVendorServer: Sendable {
    /// A scripted misbehaviour, served instead of the next matching call's answer.
    enum Fault: Sendable {
        /// An HTTP status with headers and a body.
        case http(Int, headers: [(String, String)], body: String, contentType: String)
        /// A body that is not JSON, with 200.
        case notJSON
        /// AliExpress `error_response` (HTTP 200).
        case aliExpressError(code: String, msg: String)
        /// Raw JSON text with 200.
        case raw(String)
        /// No answer until ``releaseStalls()``; `arrived` is told when the request comes.
        case stall(arrived: @Sendable () -> Void)
        /// Any bytes (invalid UTF-8 included) with a status and headers: the connector fuzz test's mutated answers.
        case bytes(Int, headers: [(String, String)], body: [UInt8])
    }

    struct State {
        var store: FakeStore
        /// Call counts by name: `GET /catalog/products`, an AliExpress method.
        var calls: [String: Int] = [:]
        /// Calls for one product's details, by product id.
        var detailCalls: [Int64: Int] = [:]
        /// (call name, fault), first match served and removed.
        var faults: [(call: String, fault: Fault)] = []
        var badSignatures = 0
        /// When set, BigCommerce responses count this down in `x-rate-limit-requests-left` (reset 2.5 s).
        var requestsLeft: Int?
        /// When set, BigCommerce's window quota, enforced: 429 with the `X-Rate-Limit-*` headers
        /// (and `X-Retry-After`) once a window's requests are spent.
        var bigCommerceQuota: FakeQuota?
        /// When set, AliExpress's calls per window, enforced: `ApiCallLimit` ("this ban will last
        /// N seconds", HTTP 200) once a window's calls are spent.
        var aliExpressQuota: FakeQuota?
        /// The quotas' clock, in milliseconds (monotonic; tests pass their pull's virtual clock).
        var quotaNow: @Sendable () -> Int64 = FakeQuota.nowMs
        /// Listing positions by status and by id, rebuilt after a change (100k listings are
        /// served in ~1,000 list pages and 100k detail calls).
        var index: StoreIndex?
        /// Hostile counts: a field of the lists' counts (`total_pages`, `total`, `per_page` of
        /// BigCommerce's pagination; `total_page`, `product_count` of AliExpress's product list;
        /// `total_count` of the diagnosis list) answered with this JSON text instead of the truth.
        var claimedCounts: [String: String] = [:]
        /// Hostile paging: a page past the end of a list is answered as a full page (the first
        /// page again) instead of an empty one, up to page ``endlessPageGuard``, past which the
        /// fake answers 500 (so that a connector that believes the counts fails instead of hanging).
        var endlessPages = false
        /// The first answer body of each call, by call name (the connector fuzz test's corpus).
        var recorded: [String: [UInt8]] = [:]
    }

    /// Where ``State/endlessPages`` stops answering.
    static let endlessPageGuard = 200

    struct StoreIndex {
        var byStatus: [String: [Int]] = [:]
        var byID: [Int64: Int] = [:]

        init(_ store: FakeStore) {
            for (i, l) in store.listings.enumerated() {
                byStatus[l.status, default: []].append(i)
                byID[l.id] = i
            }
        }
    }

    /// The store and its index, built if a change dropped it.
    private func indexedStore() -> (FakeStore, StoreIndex) {
        state.withLockedValue { s in
            if s.index == nil { s.index = StoreIndex(s.store) }
            return (s.store, s.index ?? StoreIndex(s.store))
        }
    }

    static let storeHash = "teststore"
    static let token = "bc-test-token"
    static let appKey = "12345678"
    static let appSecret = "fake-app-secret"
    static let session = "ae-seller-session"

    /// The environment variables a profile made with ``profileSources(stockFrom:)`` reads its
    /// credentials from, holding this fake's values.
    static let credentials = ["TEST_BC_TOKEN": token, "TEST_AE_SECRET": appSecret, "TEST_AE_SESSION": session]

    /// The `sources:` section of a profile that pulls from this server, its credentials given as
    /// `${…}` references to ``credentials``.
    func profileSources(stockFrom: String = "catalog") -> String {
        """
        sources:
          bigcommerce:
            store_hash: \(Self.storeHash)
            access_token: ${TEST_BC_TOKEN}
            stock_from: \(stockFrom)
            api_base: \(baseURL)
          aliexpress:
            app_key: "\(Self.appKey)"
            app_secret: ${TEST_AE_SECRET}
            session: ${TEST_AE_SESSION}
            gateway: \(baseURL)

        """
    }

    let state: NIOLockedValueBox<State>
    private let portBox = NIOLockedValueBox<Int?>(nil)
    private let task: NIOLockedValueBox<Task<Void, any Error>?> = NIOLockedValueBox(nil)
    private let stalled = NIOLockedValueBox<[CheckedContinuation<Void, Never>]>([])

    init(store: FakeStore) {
        state = NIOLockedValueBox(State(store: store))
    }

    /// The base URL to point `api_base` and `gateway` at.
    var baseURL: String { "http://127.0.0.1:\(portBox.withLockedValue { $0 } ?? 0)" }

    /// Starts serving on 127.0.0.1 on a free port; returns once it listens.
    func start(port: Int = 0) async throws {
        let router = Router()
        router.get("stores/:hash/v3/catalog/products") { request, context in try self.products(request, context) }
        router.get("stores/:hash/v3/inventory/items") { request, context in try self.inventory(request, context) }
        router.post("sync") { request, _ in try await self.aliExpress(request) }
        // For the pull benchmark: change a share of the listings, and read the call counts.
        router.post("_fake/touch") { request, _ -> Response in
            let percent = request.uri.queryParameters["percent"].flatMap { Double($0) } ?? 1
            let changed = self.touch(percent: percent)
            return self.response(200, "{\"changed\":\(changed)}")
        }
        router.get("_fake/calls") { _, _ -> Response in
            // Every call received, by name, and (`_refused`) the calls a quota refused, by vendor.
            let (calls, refusedBC, refusedAE) = self.state.withLockedValue { ($0.calls, $0.bigCommerceQuota?.refused ?? 0, $0.aliExpressQuota?.refused ?? 0) }
            let counts = calls.sorted { $0.key < $1.key }.map { "\(self.q($0.key)):\($0.value)" }.joined(separator: ",")
            return self.response(200, "{" + counts + (counts.isEmpty ? "" : ",") + "\"_refused\":{\"bigcommerce\":\(refusedBC),\"aliexpress\":\(refusedAE)}}")
        }
        let (stream, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: port)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) },
            logger: { var l = Logger(label: "fake"); l.logLevel = .critical; return l }())
        let running = Task {
            // A server that cannot bind ends the stream, so that start() throws instead of waiting for ever.
            defer { continuation.finish() }
            try await app.runService()
        }
        task.withLockedValue { $0 = running }
        for await port in stream {
            portBox.withLockedValue { $0 = port }
            break
        }
        if portBox.withLockedValue({ $0 }) == nil {
            try await running.value
            throw FakeServerStartError(port: port)
        }
    }

    /// Serves until the task is cancelled or the server fails.
    func wait() async throws {
        let t = task.withLockedValue { $0 }
        try await t?.value
    }

    func stop() async {
        releaseStalls()
        let t = task.withLockedValue { $0 }
        t?.cancel()
        _ = try? await t?.value
    }

    /// Moves `gmt_modified` of every listing whose position is a multiple of 100/percent.
    func touch(percent: Double) -> Int {
        guard percent > 0 else { return 0 }
        let step = max(1, Int((100 / percent).rounded()))
        var changed = 0
        update { store in
            for i in stride(from: 0, to: store.listings.count, by: step) {
                store.listings[i].modified = "2026-03-17 10:00:00"
                store.listings[i].skus[0].stock += 1
                changed += 1
            }
        }
        return changed
    }

    func calls(_ name: String) -> Int { state.withLockedValue { $0.calls[name] ?? 0 } }
    func script(_ call: String, _ fault: Fault) { state.withLockedValue { $0.faults.append((call, fault)) } }
    func update(_ change: (inout FakeStore) -> Void) {
        state.withLockedValue {
            change(&$0.store)
            $0.index = nil
        }
    }

    /// Answers every stalled call (with a 500).
    func releaseStalls() {
        for c in stalled.withLockedValue({ s -> [CheckedContinuation<Void, Never>] in defer { s = [] }; return s }) { c.resume() }
    }

    /// Counts the call and returns a scripted fault for it, if one is queued.
    private func begin(_ call: String) -> Fault? {
        state.withLockedValue { s in
            s.calls[call, default: 0] += 1
            guard let i = s.faults.firstIndex(where: { $0.call == call }) else { return nil }
            return s.faults.remove(at: i).fault
        }
    }

    private func response(_ status: Int, _ body: String, contentType: String = "application/json", headers: [(String, String)] = []) -> Response {
        var fields = HTTPFields()
        fields[.contentType] = contentType
        for (name, value) in headers { if let n = HTTPField.Name(name) { fields.append(HTTPField(name: n, value: value)) } }
        return Response(status: .init(code: status), headers: fields, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    private func faultResponse(_ fault: Fault) -> Response {
        switch fault {
        case .http(let status, let headers, let body, let type): response(status, body, contentType: type, headers: headers)
        case .notJSON: response(200, "<html><body>Service temporarily unavailable</body></html>", contentType: "text/html")
        case .aliExpressError(let code, let msg):
            response(200, "{\"error_response\":{\"type\":\"ISV\",\"code\":\(q(code)),\"msg\":\(q(msg)),\"request_id\":\"fake1\"}}")
        case .raw(let text): response(200, text)
        case .stall: response(500, "stalled")
        case .bytes(let status, let headers, let body):
            bytesResponse(status, body, headers: headers)
        }
    }

    private func bytesResponse(_ status: Int, _ body: [UInt8], headers: [(String, String)]) -> Response {
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        for (name, value) in headers { if let n = HTTPField.Name(name) { fields.append(HTTPField(name: n, value: value)) } }
        return Response(status: .init(code: status), headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// Keeps the first body of `call` for the fuzz corpus.
    private func record(_ call: String, _ body: String) {
        state.withLockedValue { s in if s.recorded[call] == nil { s.recorded[call] = Array(body.utf8) } }
    }

    /// `"field":value` in a list's counts, or the claimed value when ``State/claimedCounts`` has one.
    private func count(_ field: String, _ value: Int) -> String {
        let claimed = state.withLockedValue { $0.claimedCounts[field] }
        return "\"\(field)\":" + (claimed ?? String(value))
    }

    /// The page to serve for `page` of a list of `pages` pages: past the end, the first page
    /// again when paging is endless; nil past the guard.
    private func servedPage(_ page: Int, of pages: Int) -> Int? {
        guard state.withLockedValue({ $0.endlessPages }), page > pages else { return page }
        return page > Self.endlessPageGuard ? nil : 1
    }

    // MARK: BigCommerce

    private static let rateHeaders = [
        ("x-rate-limit-time-window-ms", "30000"), ("x-rate-limit-time-reset-ms", "15000"),
        ("x-rate-limit-requests-quota", "150"), ("x-rate-limit-requests-left", "149"),
    ]

    private func authorised(_ request: Request) -> Response? {
        guard let name = HTTPField.Name("X-Auth-Token"), request.headers[name] == Self.token else {
            return response(401, "You are not authorized to access this resource. Check your X-Auth-Token.", contentType: "text/plain")
        }
        return nil
    }

    private func page(_ request: Request) -> (page: Int, limit: Int) {
        let q = request.uri.queryParameters
        let page = q["page"].flatMap { Int($0) } ?? 1
        let limit = min(q["limit"].flatMap { Int($0) } ?? 50, 250)
        return (max(page, 1), max(limit, 1))
    }

    private func pagination(total: Int, count: Int, page: Int, limit: Int) -> String {
        let pages = max(1, (total + limit - 1) / limit)
        var links = "\"current\":\"?page=\(page)&limit=\(limit)\""
        if page > 1 { links += ",\"previous\":\"?page=\(page - 1)&limit=\(limit)\"" }
        if page < pages { links += ",\"next\":\"?page=\(page + 1)&limit=\(limit)\"" }
        return "{\"pagination\":{\(self.count("total", total)),\"count\":\(count),\(self.count("per_page", limit)),\"current_page\":\(page),\(self.count("total_pages", pages)),\"links\":{\(links)}}}"
    }

    private func products(_ request: Request, _ context: some RequestContext) throws -> Response {
        if let fault = begin("GET /catalog/products") { return faultResponse(fault) }
        if let denied = authorised(request) { return denied }
        let (asked, limit) = self.page(request)
        let storePages = max(1, (state.withLockedValue { $0.store.products.count } + limit - 1) / limit)
        guard let page = servedPage(asked, of: storePages) else { return response(500, "fake: endless paging guard reached") }
        let withVariants = request.uri.queryParameters["include"].map { $0.contains("variants") } ?? false
        let all = state.withLockedValue { $0.store.products }
        let start = min((page - 1) * limit, all.count)
        let slice = all[start..<min(start + limit, all.count)]
        let data = slice.map { p -> String in
            var fields = "\"id\":\(p.id),\"name\":\(q("Product \(p.id)")),\"type\":\"physical\",\"sku\":\"\",\"inventory_level\":\(p.level),"
                + "\"inventory_tracking\":\(q(p.tracking)),\"availability\":\(q(p.availability)),\"is_visible\":true,"
                + "\"date_created\":\"2026-01-01T00:00:00+00:00\",\"date_modified\":\(q(p.modified)),\"price\":19.5"
            if withVariants {
                fields += ",\"variants\":[" + p.variants.map { v in
                    "{\"id\":\(v.id),\"product_id\":\(p.id),\"sku\":\(q(v.sku)),\"sku_id\":null,\"price\":null,\"calculated_price\":19.5,"
                        + "\"inventory_level\":\(v.level.map(String.init) ?? "null"),\"inventory_warning_level\":0,"
                        + "\"purchasing_disabled\":\(v.purchasingDisabled),\"purchasing_disabled_message\":\"\",\"option_values\":[]}"
                }.joined(separator: ",") + "]"
            }
            return "{" + fields + "}"
        }.joined(separator: ",")
        let body = "{\"data\":[\(data)],\"meta\":\(pagination(total: all.count, count: slice.count, page: asked, limit: limit))}"
        record("GET /catalog/products", body)
        if let limited = bigCommerceQuotaAnswer(body) { return limited }
        let left: Int? = state.withLockedValue { s in
            guard let n = s.requestsLeft else { return nil }
            s.requestsLeft = max(n - 1, 0)
            return max(n - 1, 0)
        }
        if let left {
            return response(200, body, headers: [("x-rate-limit-requests-left", String(left)), ("x-rate-limit-time-reset-ms", "2500")])
        }
        return response(200, body, headers: Self.rateHeaders)
    }

    private func inventory(_ request: Request, _ context: some RequestContext) throws -> Response {
        if let fault = begin("GET /inventory/items") { return faultResponse(fault) }
        if let denied = authorised(request) { return denied }
        let q = request.uri.queryParameters
        let page = max(q["page"].flatMap { Int($0) } ?? 1, 1)
        let limit = max(min(q["limit"].flatMap { Int($0) } ?? 50, 1000), 1)
        let all = state.withLockedValue { $0.store.inventory }
        let start = min((page - 1) * limit, all.count)
        let data = all[start..<min(start + limit, all.count)].map { item -> String in
            var identity: [String] = []
            if let sku = item.sku { identity.append("\"sku\":\(self.q(sku))") }
            if let v = item.variantID { identity.append("\"variant_id\":\(v)") }
            let locations = item.locations.map {
                "{\"location_id\":\($0.id),\"location_code\":\"L\($0.id)\",\"location_name\":\"Location \($0.id)\",\"available_to_sell\":\($0.available),"
                    + "\"total_inventory_onhand\":\($0.available),\"location_enabled\":\($0.enabled),\"settings\":{\"safety_stock\":0,\"is_in_stock\":true,\"warning_level\":0}}"
            }.joined(separator: ",")
            return "{\"identity\":{\(identity.joined(separator: ","))},\"locations\":[\(locations)]}"
        }.joined(separator: ",")
        // The BOPIS guide's examples: `meta: {}`, paged until a short page.
        let body = "{\"data\":[\(data)],\"meta\":{}}"
        record("GET /inventory/items", body)
        if let limited = bigCommerceQuotaAnswer(body) { return limited }
        return response(200, body, contentType: "application/json", headers: Self.rateHeaders)
    }

    /// With ``State/bigCommerceQuota`` set: `body` with the window's true `X-Rate-Limit-*`
    /// headers, or a 429 (the docs give it no body) once the window's requests are spent.
    private func bigCommerceQuotaAnswer(_ body: String) -> Response? {
        let taken: (FakeQuota.Verdict, FakeQuota)? = state.withLockedValue { s in
            guard var quota = s.bigCommerceQuota else { return nil }
            let verdict = quota.take(nowMs: s.quotaNow())
            s.bigCommerceQuota = quota
            return (verdict, quota)
        }
        guard let (verdict, quota) = taken else { return nil }
        let window = [("x-rate-limit-time-window-ms", String(quota.windowMs)), ("x-rate-limit-requests-quota", String(quota.quota))]
        switch verdict {
        case .allowed(let left, let resetMs):
            return response(200, body, headers: window + [("x-rate-limit-time-reset-ms", String(resetMs)), ("x-rate-limit-requests-left", String(left))])
        case .refused(let resetMs):
            return response(429, "", headers: window + [("x-rate-limit-time-reset-ms", String(resetMs)), ("x-rate-limit-requests-left", "0"),
                                                         ("x-retry-after", String((resetMs + 999) / 1000))])
        }
    }

    // MARK: AliExpress

    private func aliExpress(_ request: Request) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: 1 << 20)
        var params: [String: String] = [:]
        for (k, v) in request.uri.queryParameters { params[String(k)] = String(v) }
        for pair in String(buffer: body).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0) }
            params[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        let method = params["method"] ?? ""
        if let fault = begin(method) {
            if case .stall(let arrived) = fault {
                await withCheckedContinuation { c in
                    stalled.withLockedValue { $0.append(c) }
                    arrived()
                }
                return response(500, "stalled")
            }
            return faultResponse(fault)
        }
        // The platform's check: HMAC-SHA256 keyed with the app secret over the sorted k+v pairs.
        let signed = params.filter { $0.key != "sign" }.sorted { $0.key < $1.key }.map { $0.key + $0.value }.joined()
        let expected = HMAC<SHA256>.authenticationCode(for: Data(signed.utf8), using: SymmetricKey(data: Data(Self.appSecret.utf8)))
            .map { String(format: "%02X", $0) }.joined()
        guard params["app_key"] == Self.appKey, params["sign"] == expected, params["sign_method"] == "sha256" else {
            state.withLockedValue { $0.badSignatures += 1 }
            return faultResponse(.aliExpressError(code: "IncompleteSignature", msg: "The request signature does not conform to platform standards"))
        }
        guard params["session"] == Self.session else {
            return faultResponse(.aliExpressError(code: "IllegalAccessToken", msg: "The specified access token is invalid or expired"))
        }
        if let banned = aliExpressQuotaBan() { return banned }
        let (store, index) = indexedStore()
        let wrapper = method.replacingOccurrences(of: ".", with: "_") + "_response"
        let inner: String
        switch method {
        case "aliexpress.solution.product.list.get":
            guard let list = productList(params["aeop_a_e_product_list_query"] ?? "{}", store, index) else {
                return response(500, "fake: endless paging guard reached")
            }
            inner = list
        case "aliexpress.solution.product.info.get":
            guard let id = params["product_id"].flatMap({ Int64($0) }), let position = index.byID[id] else {
                return faultResponse(.aliExpressError(code: "15", msg: "product not found"))
            }
            state.withLockedValue { $0.detailCalls[id, default: 0] += 1 }
            inner = detail(store.listings[position])
        case "aliexpress.freight.redefining.listfreighttemplate":
            inner = "\"aeop_freight_template_d_t_o_list\":{\"aeopfreighttemplatedtolist\":[" + store.templates.map {
                "{\"template_name\":\(q($0.name)),\"is_default\":false,\"template_id\":\($0.id)}"
            }.joined(separator: ",") + "]},\"result_success\":true"
        case "aliexpress.freight.redefining.getfreightsettingbytemplatequery":
            guard let id = params["template_id"].flatMap({ Int64($0) }), let t = store.templates.first(where: { $0.id == id }) else {
                inner = "\"is_success\":false,\"error_desc\":\"template does not exist\""
                break
            }
            let countries = q(t.countries.joined(separator: ","))
            let setting = t.nested
                ? "{\"template\":{\"standard_shipping_country\":\(countries),\"logistics_company\":\"CAINIAO_STANDARD\"}}"
                : "{\"standard_shipping_country\":\(countries),\"logistics_company\":\"CAINIAO_STANDARD\"}"
            inner = "\"template_id\":\(t.id),\"template_name\":\(q(t.name)),\"is_success\":true,\"freight_setting_list\":{\"aeop_freight_setting\":[\(setting)]}"
        case "aliexpress.product.diagnosis.pageQueryProblem":
            let items = store.problems.sorted { $0.key < $1.key }.map {
                "{\"product_id\":\($0.key),\"product_problem\":{\"problem_type\":\(q($0.value)),\"problem_description\":\"see the seller centre\"},\"operate_status\":0}"
            }
            let page = params["current_page"].flatMap { Int($0) } ?? 1, size = params["page_size"].flatMap { Int($0) } ?? 10
            let slice = items.dropFirst((page - 1) * size).prefix(size)
            inner = "\"problematic_product_list\":{\"problematic_product\":[\(slice.joined(separator: ","))]},\(count("total_count", items.count)),\"current_page\":\(page),\"page_size\":\(size)"
        default:
            return faultResponse(.aliExpressError(code: "InvalidApiPath", msg: "no such method \(method)"))
        }
        let answer = "{\(q(wrapper)):{\(inner),\"request_id\":\"fake\"}}"
        record(method, answer)
        return response(200, answer)
    }

    /// With ``State/aliExpressQuota`` set: the platform's `ApiCallLimit` answer once the window's
    /// calls are spent (the ban lasts until the window closes, in whole seconds, at least 1).
    private func aliExpressQuotaBan() -> Response? {
        let verdict: FakeQuota.Verdict? = state.withLockedValue { s in
            guard var quota = s.aliExpressQuota else { return nil }
            let verdict = quota.take(nowMs: s.quotaNow())
            s.aliExpressQuota = quota
            return verdict
        }
        guard case .refused(let resetMs) = verdict else { return nil }
        let seconds = max(1, (resetMs + 999) / 1000)
        return faultResponse(.aliExpressError(code: "ApiCallLimit", msg: "Api access frequency exceeds the limit. this ban will last \(seconds) seconds"))
    }

    private func productList(_ queryText: String, _ store: FakeStore, _ index: StoreIndex) -> String? {
        // The query is JSON; the fake reads the three fields it needs by hand.
        func field(_ name: String) -> String? {
            guard let r = queryText.range(of: "\"\(name)\":") else { return nil }
            let rest = queryText[r.upperBound...].drop { $0 == " " || $0 == "\"" }
            return String(rest.prefix { $0 != "," && $0 != "}" && $0 != "\"" })
        }
        let status = field("product_status_type") ?? ""
        let asked = max(field("current_page").flatMap { Int($0) } ?? 1, 1)
        let size = min(max(field("page_size").flatMap { Int($0) } ?? 20, 1), 99)
        let matching = index.byStatus[status] ?? []
        let pages = max(1, (matching.count + size - 1) / size)
        guard let page = servedPage(asked, of: pages) else { return nil }
        let slice = matching.dropFirst((page - 1) * size).prefix(size)
        let items = slice.map { store.listings[$0] }.map { l -> String in
            var f = "\"currency_code\":\"USD\",\"freight_template_id\":\(l.templateID),\"gmt_create\":\(q(l.created)),\"gmt_modified\":\(q(l.modified)),"
                + "\"owner_member_id\":\"us1\",\"product_id\":\(l.id),\"product_max_price\":\"9.99\",\"product_min_price\":\"9.99\",\"src\":\"isv\",\"subject\":\(q(l.subject))"
            if let ws = l.wsDisplay { f += ",\"ws_display\":\(q(ws)),\"ws_offline_date\":\"2026-03-10 10:00:00\"" }
            return "{" + f + "}"
        }
        return "\"result\":{\"aeop_a_e_product_display_d_t_o_list\":{\"item_display_dto\":[\(items.joined(separator: ","))]},"
            + "\"current_page\":\(asked),\(count("product_count", matching.count)),\"success\":true,\(count("total_page", pages))}"
    }

    private func detail(_ l: FakeStore.Listing) -> String {
        let skus = l.skus.map {
            "{\"currency_code\":\"USD\",\"id\":\"200000182:193\",\"ipm_sku_stock\":\($0.stock),\"sku_code\":\(q($0.code)),\"sku_price\":\(q($0.price)),\"sku_stock\":\($0.stock > 0)}"
        }.joined(separator: ",")
        return "\"result\":{\"aeop_ae_product_s_k_us\":{\"global_aeop_ae_product_sku\":[\(skus)]},\"category_id\":\(l.categoryID),\"currency_code\":\"USD\","
            + "\"freight_template_id\":\(l.templateID),\"gmt_create\":\(q(l.created)),\"gmt_modified\":\(q(l.modified)),\"product_id\":\(l.id),"
            + "\"product_status_type\":\(q(l.status)),\"subject\":\(q(l.subject))}"
    }

    private func q(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}

func fflushStandardOutput() { fflush(nil) }

/// A fake that stopped before it listened, without saying why.
struct FakeServerStartError: Error, CustomStringConvertible {
    var port: Int
    var description: String { "the server stopped before it listened on 127.0.0.1:\(port)" }
}
