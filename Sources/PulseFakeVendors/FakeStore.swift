/// What the fake BigCommerce and AliExpress hold: a store's products and listings, in the terms
/// the vendors use (the fake turns them into the vendors' wire shapes).
struct FakeStore: Sendable {
    struct Variant: Sendable {
        var id: Int64
        var sku: String
        var level: Int64?
        var purchasingDisabled = false
    }

    struct Product: Sendable {
        var id: Int64
        /// none | product | variant
        var tracking = "variant"
        var availability = "available"
        var level: Int64 = 0
        var modified = "2026-03-16T22:10:00+00:00"
        var variants: [Variant]
    }

    struct SKU: Sendable {
        var code: String
        var stock: Int64
        var price = "9.99"
    }

    struct Listing: Sendable {
        var id: Int64
        /// onSelling | auditing | editingRequired | offline
        var status: String
        var wsDisplay: String?
        var subject: String
        var templateID: Int64
        var categoryID: Int64 = 200000345
        /// China time, as AliExpress writes it.
        var modified = "2026-03-16 20:00:00"
        var created = "2026-01-02 18:00:00"
        var skus: [SKU]
    }

    struct Template: Sendable {
        var id: Int64
        var name: String
        var countries: [String]
        /// The settings' fields under `template` (the C# SDK's layout) or at the top (the Java SDK's).
        var nested = true
    }

    /// Inventory API items: variant id -> (location id -> available_to_sell).
    struct InventoryItem: Sendable {
        var sku: String?
        var variantID: Int64?
        var locations: [(id: Int64, available: Int64, enabled: Bool)]
    }

    var products: [Product] = []
    var inventory: [InventoryItem] = []
    var listings: [Listing] = []
    var templates: [Template] = []
    /// product id -> problem_type, for the diagnosis API.
    var problems: [Int64: String] = [:]
}

extension FakeStore {
    /// A large store for the pull benchmark: `listings` AliExpress listings (80% on sale, 10% in
    /// audit, 5% rejected, 5% offline) of `skusPerListing` SKUs each, and the BigCommerce products
    /// holding those SKUs, `variantsPerProduct` variants a product.
    static func generated(listings: Int, skusPerListing: Int, variantsPerProduct: Int) -> FakeStore {
        var store = FakeStore()
        store.templates = [
            Template(id: 1, name: "Standard", countries: ["US", "GB", "DE", "FR", "BR", "ES"]),
            Template(id: 2, name: "Europe", countries: ["GB", "DE", "FR", "ES", "IT"], nested: false),
        ]
        var codes: [String] = []
        codes.reserveCapacity(listings * skusPerListing)
        for i in 0..<listings {
            let status = i % 20 < 16 ? "onSelling" : i % 20 < 18 ? "auditing" : i % 20 == 18 ? "editingRequired" : "offline"
            var skus: [SKU] = []
            for k in 0..<skusPerListing {
                let code = "SKU-\(i)-\(k)"
                codes.append(code)
                skus.append(SKU(code: code, stock: Int64((i + k) % 7)))
            }
            store.listings.append(Listing(id: 1_005_006_000_000_000 + Int64(i), status: status, wsDisplay: status == "offline" ? "user_offline" : nil,
                                          subject: "Item \(i)", templateID: i % 3 == 0 ? 2 : 1, skus: skus))
        }
        var variantID: Int64 = 1
        for (p, start) in stride(from: 0, to: codes.count, by: max(1, variantsPerProduct)).enumerated() {
            let variants = codes[start..<min(start + variantsPerProduct, codes.count)].map { code -> Variant in
                defer { variantID += 1 }
                return Variant(id: variantID, sku: code, level: variantID % 11 == 0 ? 0 : 9)
            }
            store.products.append(Product(id: Int64(p + 1), variants: variants))
        }
        for (i, l) in store.listings.enumerated() where l.status == "editingRequired" && i % 40 == 18 {
            store.problems[l.id] = "image_quality"
        }
        return store
    }
}

/// `pulse-fake-vendors`: serves a generated store on 127.0.0.1 for the pull benchmark, or
/// (`--receiver`) the notification receiver for the notification benchmark.
public enum FakeVendorsCommand {
    /// Parses `--listings N --skus-per-listing N --variants-per-product N --port P`, serves, and
    /// prints `URL` once listening; runs until killed. With `--receiver [--port P]`: serves a
    /// `Receiver` (every POST to `/<name>` answered 200 and counted, `GET /_count[?path=name]`)
    /// and prints its base URL alone on the first line.
    public static func run(_ arguments: [String]) async throws {
        func value(_ name: String, _ fallback: Int) -> Int {
            guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count, let v = Int(arguments[i + 1]), v >= 0 else { return fallback }
            return v
        }
        if arguments.contains("--receiver") {
            let receiver = try await Receiver.start(port: value("--port", 0))
            print(receiver.base)
            fflushStandardOutput()
            try await receiver.wait()
            return
        }
        let store = FakeStore.generated(listings: value("--listings", 100_000), skusPerListing: value("--skus-per-listing", 2),
                                        variantsPerProduct: value("--variants-per-product", 4))
        let server = FakeVendorServer(store: store)
        try await server.start(port: value("--port", 0))
        print("\(server.baseURL) store_hash=\(FakeVendorServer.storeHash) token=\(FakeVendorServer.token) app_key=\(FakeVendorServer.appKey) "
              + "app_secret=\(FakeVendorServer.appSecret) session=\(FakeVendorServer.session) products=\(store.products.count) listings=\(store.listings.count)")
        fflushStandardOutput()
        try await server.wait()
    }
}
