import Foundation

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

/// `pulse-fake-vendors`: serves a generated store on 127.0.0.1 for the pull benchmark (and for
/// trying `pulse pull` without credentials), or (`--receiver`) the notification receiver for the
/// notification benchmark.
public enum FakeVendorsCommand {
    public static let usage = """
        usage: pulse-fake-vendors [--port P] [--listings N] [--skus-per-listing N] [--variants-per-product N]
                                  [--bigcommerce-quota N/S] [--aliexpress-quota N/S]
               pulse-fake-vendors --receiver [--port P]

        A fake of BigCommerce's REST v3 and AliExpress's /sync API on 127.0.0.1, serving a generated
        store, so that `pulse pull` can be tried (and benchmarked) without credentials. It prints its
        base URL and the fake credentials on the first line of standard output, and on standard error
        the `sources:` block of a profile that pulls from it. It runs until SIGTERM or SIGINT.

          --port P                  the port (default 0: a free one)
          --listings N              AliExpress listings (default 100000): 80% on sale, 10% in audit,
                                    5% rejected, 5% offline
          --skus-per-listing N      SKUs per listing (default 2)
          --variants-per-product N  BigCommerce variants per product (default 4)
          --bigcommerce-quota N/S   enforce BigCommerce's window quota: N requests per S seconds
                                    (150/30 is the Standard and Plus plans', 450/30 Pro's), then
                                    429 until the window resets (default: no limit)
          --aliexpress-quota N/S    enforce an AliExpress call limit: N calls per S seconds (20/1
                                    is the documented per-seller product-query limit), then
                                    ApiCallLimit "this ban will last N seconds" (default: no limit)
          --receiver                instead, a notification receiver: every POST to /<name> is
                                    answered 200 and counted (GET /_count[?path=name])
          -h, --help                this text

        """

    /// Why the command stopped: a message and an exit status (2: usage, 1: cannot listen).
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public var exitCode: Int32
    }

    /// Runs the command: the exit status, after printing any error to standard error.
    public static func main(_ arguments: [String]) async -> Int32 {
        do {
            try await run(arguments)
            return 0
        } catch let failure as Failure {
            FileHandle.standardError.write(Data("pulse-fake-vendors: \(failure.description)\n".utf8))
            return failure.exitCode
        } catch {
            FileHandle.standardError.write(Data("pulse-fake-vendors: \(error)\n".utf8))
            return 1
        }
    }

    /// Parses `--listings N --skus-per-listing N --variants-per-product N --port P`, serves, and
    /// prints `URL` once listening; runs until SIGTERM or SIGINT. With `--receiver [--port P]`:
    /// serves a `Receiver` (every POST to `/<name>` answered 200 and counted, `GET
    /// /_count[?path=name]`) and prints its base URL alone on the first line.
    public static func run(_ arguments: [String]) async throws {
        if arguments.contains("--help") || arguments.contains("-h") {
            print(usage, terminator: "")
            fflushStandardOutput()
            return
        }
        var values: [String: Int] = [:]
        var receiver = false
        var quotas: [String: FakeQuota] = [:]
        var i = 0
        let numeric = ["--port", "--listings", "--skus-per-listing", "--variants-per-product"]
        while i < arguments.count {
            let a = arguments[i]
            if a == "--receiver" {
                receiver = true
            } else if a == "--bigcommerce-quota" || a == "--aliexpress-quota" {
                guard i + 1 < arguments.count, let quota = FakeQuota(arguments[i + 1]) else {
                    throw Failure(description: "\(a) needs N/S: N requests (1 or more) per S seconds (more than 0), as 150/30 (pulse-fake-vendors --help)", exitCode: 2)
                }
                quotas[a] = quota
                i += 1
            } else if numeric.contains(a) {
                guard i + 1 < arguments.count, let v = Int(arguments[i + 1]), v >= 0 else {
                    throw Failure(description: "\(a) needs a whole number of 0 or more (pulse-fake-vendors --help)", exitCode: 2)
                }
                values[a] = v
                i += 1
            } else {
                throw Failure(description: "unknown argument '\(a)' (pulse-fake-vendors --help)", exitCode: 2)
            }
            i += 1
        }
        let port = values["--port"] ?? 0
        guard port <= 65_535 else { throw Failure(description: "--port \(port) is not a port (0 to 65535)", exitCode: 2) }
        func cannotListen(_ error: any Error) -> Failure {
            let text = "\(error)"
            let why = text.contains("Address already in use") ? "something else already listens there"
                : text.contains("Permission denied") ? "permission denied (ports below 1024 need privileges)" : text
            return Failure(description: "cannot listen on 127.0.0.1:\(port): \(why)", exitCode: 1)
        }
        if receiver {
            let r: Receiver
            do { r = try await Receiver.start(port: port) } catch { throw cannotListen(error) }
            print(r.base)
            fflushStandardOutput()
            try await r.wait()
            return
        }
        let store = FakeStore.generated(listings: values["--listings"] ?? 100_000, skusPerListing: values["--skus-per-listing"] ?? 2,
                                        variantsPerProduct: values["--variants-per-product"] ?? 4)
        let server = FakeVendorServer(store: store)
        server.state.withLockedValue {
            $0.bigCommerceQuota = quotas["--bigcommerce-quota"]
            $0.aliExpressQuota = quotas["--aliexpress-quota"]
        }
        do { try await server.start(port: port) } catch { throw cannotListen(error) }
        print("\(server.baseURL) store_hash=\(FakeVendorServer.storeHash) token=\(FakeVendorServer.token) app_key=\(FakeVendorServer.appKey) "
              + "app_secret=\(FakeVendorServer.appSecret) session=\(FakeVendorServer.session) products=\(store.products.count) listings=\(store.listings.count)")
        fflushStandardOutput()
        let hint = """
            pulse-fake-vendors: a fake store on \(server.baseURL) (\(store.products.count) products, \(store.listings.count) listings); SIGINT or SIGTERM stops it.
            A profile that pulls from it (with TEST_BC_TOKEN=\(FakeVendorServer.token) TEST_AE_SECRET=\(FakeVendorServer.appSecret) \
            TEST_AE_SESSION=\(FakeVendorServer.session) in the environment):
            \(server.profileSources())
            """
        FileHandle.standardError.write(Data(hint.utf8))
        try await server.wait()
    }
}
