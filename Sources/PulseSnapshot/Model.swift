import PulseExpressions

/// A listing's state on AliExpress, in the snapshot's words.
public enum ListingStatus: String, Sendable, CaseIterable {
    case active, auditing, rejected, expired, offline, draft
}

/// Whether and how BigCommerce tracks a SKU's stock.
public enum StockTracking: String, Sendable, CaseIterable {
    case none, product, variant
}

/// One variant of a listing: the merchant SKU and its AliExpress-side stock.
public final class SKUVariant: Sendable {
    /// The merchant SKU, the same string as BigCommerce's `sku`.
    public let code: String
    /// AliExpress-side sellable quantity (>= 0).
    public let stock: Int64
    /// The price as written (a decimal string), if any.
    public let price: String?
    /// The BigCommerce stock record with the same SKU code, joined at load.
    public let stockRecord: StockRecord?

    /// Creates a variant joined to its stock record.
    public init(code: String, stock: Int64, price: String?, stockRecord: StockRecord?) {
        self.code = code
        self.stock = stock
        self.price = price
        self.stockRecord = stockRecord
    }
}

/// An AliExpress listing, with its derived fields resolved at load.
public final class Listing: Sendable {
    public let id: String
    public let title: String?
    public let status: ListingStatus
    public let categoryID: String?
    public let freightTemplateID: String?
    /// `ship_to` as written on the listing (nil when absent or null).
    public let ownShipTo: [String]?
    public let createdAt: CELTimestamp?
    public let updatedAt: CELTimestamp?
    public let expiresAt: CELTimestamp?
    public let rejectionReason: String?
    public let skus: [SKUVariant]
    /// The listing's own destinations, else its freight template's countries, else none.
    public let shipTo: [String]
    /// Destinations its category may not ship to.
    public let restrictedDestinations: [String]
    /// Active and at least one SKU with stock > 0.
    public let buyable: Bool
    /// The line of `listings.jsonl` it came from (set once, when the loader keeps the row).
    public nonisolated(unsafe) var line: Int

    let shipToValue: Value
    let restrictedValue: Value

    /// Creates a listing; `shipTo` and `restrictedDestinations` are the resolved derived fields.
    public init(id: String, title: String?, status: ListingStatus, categoryID: String?, freightTemplateID: String?,
                ownShipTo: [String]?, createdAt: CELTimestamp?, updatedAt: CELTimestamp?, expiresAt: CELTimestamp?,
                rejectionReason: String?, skus: [SKUVariant], shipTo: [String], restrictedDestinations: [String], line: Int,
                shipToValue: Value? = nil, restrictedValue: Value? = nil) {
        self.id = id
        self.title = title
        self.status = status
        self.categoryID = categoryID
        self.freightTemplateID = freightTemplateID
        self.ownShipTo = ownShipTo
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.expiresAt = expiresAt
        self.rejectionReason = rejectionReason
        self.skus = skus
        self.shipTo = shipTo
        self.restrictedDestinations = restrictedDestinations
        self.buyable = status == .active && skus.contains { $0.stock > 0 }
        self.line = line
        self.shipToValue = shipToValue ?? .list(shipTo.map(Value.string))
        self.restrictedValue = restrictedValue ?? .list(restrictedDestinations.map(Value.string))
    }
}

/// A BigCommerce SKU's stock record.
public final class StockRecord: Sendable {
    public let sku: String
    public let available: Int64
    public let tracking: StockTracking
    public let purchasable: Bool
    public let updatedAt: CELTimestamp?
    public let line: Int

    /// Creates a stock record.
    public init(sku: String, available: Int64, tracking: StockTracking, purchasable: Bool, updatedAt: CELTimestamp?, line: Int) {
        self.sku = sku
        self.available = available
        self.tracking = tracking
        self.purchasable = purchasable
        self.updatedAt = updatedAt
        self.line = line
    }
}

/// One audit state change of a listing.
public final class AuditEvent: Sendable {
    public let listingID: String
    public let at: CELTimestamp
    public let from: ListingStatus?
    public let to: ListingStatus
    public let reason: String?
    public let line: Int
    /// The listing it is about, joined at load (nil when the snapshot has no such listing).
    public let listing: Listing?

    /// Creates an event joined to its listing.
    public init(listingID: String, at: CELTimestamp, from: ListingStatus?, to: ListingStatus, reason: String?, line: Int,
                listing: Listing?) {
        self.listing = listing
        self.listingID = listingID
        self.at = at
        self.from = from
        self.to = to
        self.reason = reason
        self.line = line
    }
}

/// An AliExpress freight (shipping) template.
public struct FreightTemplate: Sendable {
    public let id: String
    public let name: String?
    public let countries: [String]
}

/// Everything a card may look at, as it stood at one moment.
public struct Snapshot: Sendable {
    /// The folder it was read from.
    public let folder: String
    /// The store, if named.
    public let store: String?
    /// When the data stood; `now` for every card unless overridden.
    public let takenAt: CELTimestamp
    public let listings: [Listing]
    public let stock: [StockRecord]
    public let auditEvents: [AuditEvent]
    public let freightTemplates: [FreightTemplate]
    /// Restricted destinations by category id.
    public let categoryRestrictions: [String: [String]]

    /// Assembles a snapshot (rows already joined by the loader).
    public init(folder: String, store: String?, takenAt: CELTimestamp, listings: [Listing], stock: [StockRecord],
                auditEvents: [AuditEvent], freightTemplates: [FreightTemplate], categoryRestrictions: [String: [String]]) {
        self.folder = folder
        self.store = store
        self.takenAt = takenAt
        self.listings = listings
        self.stock = stock
        self.auditEvents = auditEvents
        self.freightTemplates = freightTemplates
        self.categoryRestrictions = categoryRestrictions
    }

    /// The number of (listing, SKU) rows.
    public var skuRowCount: Int { listings.reduce(0) { $0 + $1.skus.count } }
}
