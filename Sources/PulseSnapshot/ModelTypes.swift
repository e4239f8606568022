import PulseExpressions

/// The snapshot model as expressions see it: object types with their fields, in the order
/// ``CELObject/field(_:)`` indexes them.
public enum ModelTypes {
    /// `listing`.
    public static let listing = ObjectType(name: "listing", fields: [
        FieldDeclaration("id", .string, "the AliExpress product id"),
        FieldDeclaration("title", .nullable(.string)),
        FieldDeclaration("status", .string, "active, auditing, rejected, expired, offline or draft"),
        FieldDeclaration("category_id", .nullable(.string)),
        FieldDeclaration("freight_template_id", .nullable(.string)),
        FieldDeclaration("ship_to", .list(.string), "its own destinations, else its template's, else none"),
        FieldDeclaration("restricted_destinations", .list(.string), "destinations its category may not ship to"),
        FieldDeclaration("buyable", .bool, "active and some SKU with stock > 0"),
        FieldDeclaration("created_at", .nullable(.timestamp)),
        FieldDeclaration("updated_at", .nullable(.timestamp)),
        FieldDeclaration("expires_at", .nullable(.timestamp)),
        FieldDeclaration("rejection_reason", .nullable(.string)),
        FieldDeclaration("skus", .list(.object("sku")), "the variants"),
        FieldDeclaration("own_ship_to", .nullable(.list(.string)), "ship_to as written on the listing itself"),
    ])

    /// `sku`: one variant of a listing.
    public static let sku = ObjectType(name: "sku", fields: [
        FieldDeclaration("code", .string, "the merchant SKU"),
        FieldDeclaration("stock", .int, "AliExpress-side sellable quantity"),
        FieldDeclaration("price", .nullable(.double)),
    ])

    /// `bc`: the BigCommerce stock record of a SKU.
    public static let bc = ObjectType(name: "bc", fields: [
        FieldDeclaration("sku", .string),
        FieldDeclaration("available", .int, "BigCommerce stock available to sell"),
        FieldDeclaration("tracking", .string, "none, product or variant"),
        FieldDeclaration("purchasable", .bool),
        FieldDeclaration("updated_at", .nullable(.timestamp)),
    ])

    /// `event`: one audit state change.
    public static let event = ObjectType(name: "event", fields: [
        FieldDeclaration("listing_id", .string),
        FieldDeclaration("at", .timestamp),
        FieldDeclaration("from", .nullable(.string)),
        FieldDeclaration("to", .string),
        FieldDeclaration("reason", .nullable(.string)),
    ])

    /// Every model type.
    public static let all = [listing, sku, bc, event]
}

private func optional(_ s: String?) -> Value { s.map(Value.string) ?? .null }
private func optional(_ t: CELTimestamp?) -> Value { t.map(Value.timestamp) ?? .null }

extension Listing: CELObject {
    public var celTypeName: String { "listing" }

    public func field(_ index: Int) -> Value {
        switch index {
        case 0: return .string(id)
        case 1: return optional(title)
        case 2: return .string(status.rawValue)
        case 3: return optional(categoryID)
        case 4: return optional(freightTemplateID)
        case 5: return shipToValue
        case 6: return restrictedValue
        case 7: return .bool(buyable)
        case 8: return optional(createdAt)
        case 9: return optional(updatedAt)
        case 10: return optional(expiresAt)
        case 11: return optional(rejectionReason)
        case 12: return .list(skus.map { .object($0) })  // built on use: few cards read it
        case 13: return ownShipTo.map { .list($0.map(Value.string)) } ?? .null
        default: return .null
        }
    }
}

extension SKUVariant: CELObject {
    public var celTypeName: String { "sku" }

    public func field(_ index: Int) -> Value {
        switch index {
        case 0: return .string(code)
        case 1: return .int(stock)
        case 2: return price.flatMap(Double.init).map(Value.double) ?? .null
        default: return .null
        }
    }
}

extension StockRecord: CELObject {
    public var celTypeName: String { "bc" }

    public func field(_ index: Int) -> Value {
        switch index {
        case 0: return .string(sku)
        case 1: return .int(available)
        case 2: return .string(tracking.rawValue)
        case 3: return .bool(purchasable)
        case 4: return optional(updatedAt)
        default: return .null
        }
    }
}

extension AuditEvent: CELObject {
    public var celTypeName: String { "event" }

    public func field(_ index: Int) -> Value {
        switch index {
        case 0: return .string(listingID)
        case 1: return .timestamp(at)
        case 2: return from.map { .string($0.rawValue) } ?? .null
        case 3: return .string(to.rawValue)
        case 4: return optional(reason)
        default: return .null
        }
    }
}
