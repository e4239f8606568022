import PulseExpressions

/// One column of the snapshot model, declared once: the field expressions see (name, CEL type,
/// doc: what the checker, `pulse cards` and the README's field table show), the key the
/// snapshot file writes it under (the loader's fast scanner and general reader both match that
/// key), whether the file writes it as a string (a test fixture's plain YAML scalar under the
/// key is then a string), whether a load may leave it out when no card reads it
/// (``FieldSelection``), and the optional file it is derived from.
public struct FieldColumn: Sendable {
    /// Its name, CEL type and doc.
    public let declaration: FieldDeclaration
    /// The key of the row's file that holds it (nil: computed at load, from other keys or files).
    public let key: String?
    /// Whether a load may leave it out when no card reads it (nothing else depends on it).
    public let droppable: Bool
    /// The optional snapshot file the field is derived from (a card reading it has no data without it).
    public let derivedFrom: SnapshotFile?
    /// Whether the file writes it as a string or a list of strings (false for a computed field).
    public let writtenAsText: Bool

    /// A field read from the row's key of the same name; written as text when its type is a
    /// string or a list of strings, or when `writtenAsText` says so (a price: "49.99").
    init(_ name: String, _ type: CELType, _ summary: String = "", droppable: Bool = false, derivedFrom: SnapshotFile? = nil,
         writtenAsText: Bool = false) {
        self.init(name, type, summary, key: name, droppable: droppable, derivedFrom: derivedFrom, writtenAsText: writtenAsText)
    }

    /// A field read from `key` (nil: computed at load).
    init(_ name: String, _ type: CELType, _ summary: String, key: String?, droppable: Bool = false, derivedFrom: SnapshotFile? = nil,
         writtenAsText: Bool = false) {
        declaration = FieldDeclaration(name, type, summary)
        self.key = key
        self.droppable = droppable
        self.derivedFrom = derivedFrom
        self.writtenAsText = key != nil && (writtenAsText || FieldColumn.isText(type))
    }

    private static func isText(_ type: CELType) -> Bool {
        switch type {
        case .string, .list(.string): return true
        case .nullable(let inner): return isText(inner)
        default: return false
        }
    }
}

/// The fields of one model type, one case each, in the order expressions index them: the
/// single table a field is declared in, each case's ``FieldColumn`` saying all there is to say
/// about it; the tables read a field by switching on it, the loader finds its key through it.
///
/// To add a field: add a case (its position is its index) and its ``column``, then give the
/// table its column and value, and the loader its decoding; the compiler points at every
/// switch that needs it.
public protocol ModelField: CaseIterable, Hashable, Sendable where AllCases == [Self] {
    /// The type's name in expressions (`listing`).
    static var typeName: String { get }
    /// The field's position among the type's fields.
    var index: Int { get }
    /// Everything about the field: name, type, doc, file key, droppable, derived file.
    var column: FieldColumn { get }
}

extension ModelField where Self: RawRepresentable, RawValue == Int {
    public var index: Int { rawValue }

    /// The field at `index`.
    public init?(index: Int) { self.init(rawValue: index) }
}

extension ModelField {
    /// Its name, CEL type and doc.
    public var declaration: FieldDeclaration { column.declaration }
    /// Whether a load may leave it out when no card reads it.
    public var droppable: Bool { column.droppable }
    /// The optional snapshot file the field is derived from.
    public var derivedFrom: SnapshotFile? { column.derivedFrom }

    /// The field's name in expressions.
    public var name: String { declaration.name }

    /// The key of the row's file that holds it (nil: computed at load).
    public var key: String? { column.key }

    /// The field as ``FieldSelection`` names it: `listing.title`.
    public var qualifiedName: String { Self.typeName + "." + name }

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

    public var column: FieldColumn {
        switch self {
        case .id: FieldColumn("id", .string, "the AliExpress product id")
        case .title: FieldColumn("title", .nullable(.string), droppable: true)
        case .status: FieldColumn("status", .string, "active, auditing, rejected, expired, offline or draft")
        case .categoryID: FieldColumn("category_id", .nullable(.string), droppable: true)
        case .freightTemplateID: FieldColumn("freight_template_id", .nullable(.string), droppable: true)
        case .shipTo: FieldColumn("ship_to", .list(.string), "its own destinations, else its template's, else none", derivedFrom: .freightTemplates)
        case .restrictedDestinations:
            FieldColumn("restricted_destinations", .list(.string), "destinations its category may not ship to", key: nil,
                        derivedFrom: .categoryRestrictions)
        case .buyable: FieldColumn("buyable", .bool, "active and some SKU with stock > 0", key: nil)
        case .createdAt: FieldColumn("created_at", .nullable(.timestamp), droppable: true)
        case .updatedAt: FieldColumn("updated_at", .nullable(.timestamp), droppable: true)
        case .expiresAt: FieldColumn("expires_at", .nullable(.timestamp), droppable: true)
        case .rejectionReason: FieldColumn("rejection_reason", .nullable(.string), droppable: true)
        case .skus: FieldColumn("skus", .list(.object("sku")), "the variants")
        // The file's `ship_to` is read once, by `shipTo`'s key; this is it as written.
        case .ownShipTo: FieldColumn("own_ship_to", .nullable(.list(.string)), "ship_to as written on the listing itself", key: nil)
        }
    }
}

/// `sku`: one variant of a listing.
public enum SKUField: Int, ModelField {
    case code, stock, price

    public var column: FieldColumn {
        switch self {
        case .code: FieldColumn("code", .string, "the merchant SKU")
        case .stock: FieldColumn("stock", .int, "AliExpress-side sellable quantity")
        case .price: FieldColumn("price", .nullable(.double), droppable: true, writtenAsText: true)
        }
    }
}

/// `bc`: the BigCommerce stock record of a SKU.
public enum StockField: Int, ModelField {
    case sku, available, tracking, purchasable, updatedAt

    public var column: FieldColumn {
        switch self {
        case .sku: FieldColumn("sku", .string)
        case .available: FieldColumn("available", .int, "BigCommerce stock available to sell")
        case .tracking: FieldColumn("tracking", .string, "none, product or variant")
        case .purchasable: FieldColumn("purchasable", .bool)
        case .updatedAt: FieldColumn("updated_at", .nullable(.timestamp), droppable: true)
        }
    }
}

/// `event`: one audit state change.
public enum EventField: Int, ModelField {
    case listingID, at, from, to, reason

    public var column: FieldColumn {
        switch self {
        case .listingID: FieldColumn("listing_id", .string)
        case .at: FieldColumn("at", .timestamp)
        case .from: FieldColumn("from", .nullable(.string))
        case .to: FieldColumn("to", .string)
        case .reason: FieldColumn("reason", .nullable(.string))
        }
    }
}

// The types' names in expressions, side by side.
extension ListingField { public static let typeName = "listing" }
extension SKUField { public static let typeName = "sku" }
extension StockField { public static let typeName = "bc" }
extension EventField { public static let typeName = "event" }

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
    static var droppableNames: [String] { allCases.filter(\.droppable).map(\.qualifiedName) }

    /// The keys of the type's file written as text.
    static var textKeys: [String] { allCases.compactMap { $0.column.writtenAsText ? $0.key : nil } }
}
