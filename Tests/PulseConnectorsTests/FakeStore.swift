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
