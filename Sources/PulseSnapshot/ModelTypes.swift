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
