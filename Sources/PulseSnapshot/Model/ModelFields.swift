import PulseExpressions

/// The fields of one model type, one case each, in the order expressions index them: the
/// single table a field is declared in. Its name, CEL type and doc (what the checker, `pulse
/// cards` and the README's field table show), whether a load may leave it out, and the optional
/// file it is derived from all live on the case; the tables read a field by switching on it.
///
/// To add a field: add a case (its position is its index), fill in ``declaration`` (and
/// ``droppable`` or ``derivedFrom`` if they apply), then give the table's `field(_:_:)` its value;
/// the compiler points at every switch that needs it.
public protocol ModelField: CaseIterable, Sendable where AllCases == [Self] {
    /// The type's name in expressions (`listing`).
    static var typeName: String { get }
    /// The field's position among the type's fields.
    var index: Int { get }
    /// Its name, CEL type and doc.
    var declaration: FieldDeclaration { get }
    /// Whether a load may leave it out when no card reads it (nothing else depends on it).
    var droppable: Bool { get }
    /// The optional snapshot file the field is derived from (a card reading it has no data without it).
    var derivedFrom: SnapshotFile? { get }
}

extension ModelField where Self: RawRepresentable, RawValue == Int {
    public var index: Int { rawValue }

    /// The field at `index`.
    public init?(index: Int) { self.init(rawValue: index) }
}

extension ModelField {
    public var droppable: Bool { false }
    public var derivedFrom: SnapshotFile? { nil }

    /// The field's name in expressions.
    public var name: String { declaration.name }

    /// The object type expressions see.
    public static var objectType: ObjectType { ObjectType(name: typeName, fields: allCases.map(\.declaration)) }

    /// The fields as the README's field table lists them: `id, title?, status, …` (`?`: may be null).
    public static var readmeList: String {
        allCases.map { $0.name + (isNullable($0.declaration.type) ? "?" : "") }.joined(separator: ", ")
    }

    private static func isNullable(_ type: CELType) -> Bool {
        if case .nullable = type { return true }
        return false
    }
}

/// `listing`: an AliExpress listing.
public enum ListingField: Int, ModelField {
    case id, title, status, categoryID, freightTemplateID, shipTo, restrictedDestinations, buyable, createdAt, updatedAt,
         expiresAt, rejectionReason, skus, ownShipTo

    public static let typeName = "listing"

    public var declaration: FieldDeclaration {
        switch self {
        case .id: FieldDeclaration("id", .string, "the AliExpress product id")
        case .title: FieldDeclaration("title", .nullable(.string))
        case .status: FieldDeclaration("status", .string, "active, auditing, rejected, expired, offline or draft")
        case .categoryID: FieldDeclaration("category_id", .nullable(.string))
        case .freightTemplateID: FieldDeclaration("freight_template_id", .nullable(.string))
        case .shipTo: FieldDeclaration("ship_to", .list(.string), "its own destinations, else its template's, else none")
        case .restrictedDestinations: FieldDeclaration("restricted_destinations", .list(.string), "destinations its category may not ship to")
        case .buyable: FieldDeclaration("buyable", .bool, "active and some SKU with stock > 0")
        case .createdAt: FieldDeclaration("created_at", .nullable(.timestamp))
        case .updatedAt: FieldDeclaration("updated_at", .nullable(.timestamp))
        case .expiresAt: FieldDeclaration("expires_at", .nullable(.timestamp))
        case .rejectionReason: FieldDeclaration("rejection_reason", .nullable(.string))
        case .skus: FieldDeclaration("skus", .list(.object("sku")), "the variants")
        case .ownShipTo: FieldDeclaration("own_ship_to", .nullable(.list(.string)), "ship_to as written on the listing itself")
        }
    }

    public var droppable: Bool {
        [.title, .categoryID, .freightTemplateID, .createdAt, .updatedAt, .expiresAt, .rejectionReason].contains(self)
    }

    public var derivedFrom: SnapshotFile? {
        switch self {
        case .shipTo: .freightTemplates
        case .restrictedDestinations: .categoryRestrictions
        default: nil
        }
    }
}

/// `sku`: one variant of a listing.
public enum SKUField: Int, ModelField {
    case code, stock, price

    public static let typeName = "sku"

    public var declaration: FieldDeclaration {
        switch self {
        case .code: FieldDeclaration("code", .string, "the merchant SKU")
        case .stock: FieldDeclaration("stock", .int, "AliExpress-side sellable quantity")
        case .price: FieldDeclaration("price", .nullable(.double))
        }
    }

    public var droppable: Bool { self == .price }
}

/// `bc`: the BigCommerce stock record of a SKU.
public enum StockField: Int, ModelField {
    case sku, available, tracking, purchasable, updatedAt

    public static let typeName = "bc"

    public var declaration: FieldDeclaration {
        switch self {
        case .sku: FieldDeclaration("sku", .string)
        case .available: FieldDeclaration("available", .int, "BigCommerce stock available to sell")
        case .tracking: FieldDeclaration("tracking", .string, "none, product or variant")
        case .purchasable: FieldDeclaration("purchasable", .bool)
        case .updatedAt: FieldDeclaration("updated_at", .nullable(.timestamp))
        }
    }

    public var droppable: Bool { self == .updatedAt }
}

/// `event`: one audit state change.
public enum EventField: Int, ModelField {
    case listingID, at, from, to, reason

    public static let typeName = "event"

    public var declaration: FieldDeclaration {
        switch self {
        case .listingID: FieldDeclaration("listing_id", .string)
        case .at: FieldDeclaration("at", .timestamp)
        case .from: FieldDeclaration("from", .nullable(.string))
        case .to: FieldDeclaration("to", .string)
        case .reason: FieldDeclaration("reason", .nullable(.string))
        }
    }
}

/// The snapshot model as expressions see it, built from the field tables above.
public enum ModelTypes {
    /// `listing`.
    public static let listing = ListingField.objectType
    /// `sku`: one variant of a listing.
    public static let sku = SKUField.objectType
    /// `bc`: the BigCommerce stock record of a SKU.
    public static let bc = StockField.objectType
    /// `event`: one audit state change.
    public static let event = EventField.objectType

    /// Every model type.
    public static let all = [listing, sku, bc, event]

    /// The fields a load may leave out, as "type.field".
    static let droppable: Set<String> = Set(
        ListingField.droppableNames + SKUField.droppableNames + StockField.droppableNames + EventField.droppableNames)
}

extension ModelField {
    static var droppableNames: [String] { allCases.filter(\.droppable).map { typeName + "." + $0.name } }
}
