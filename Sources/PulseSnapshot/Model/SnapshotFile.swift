/// The optional files of a snapshot folder: each one, when absent, is **no data** for every card
/// that reads it (snapshot-format.md), never an empty table.
public enum SnapshotFile: String, Sendable, CaseIterable, Comparable {
    /// BigCommerce stock: `stock.jsonl` or `stock.csv` (the `bc` join).
    case stock
    /// `audit_events.jsonl` (cards `from: audit_events`).
    case auditEvents
    /// `freight_templates.jsonl` (a listing's `ship_to` when it has no list of its own).
    case freightTemplates
    /// `category_restrictions.jsonl` (a listing's `restricted_destinations`).
    case categoryRestrictions

    /// The file name as reports show it (the stock feed by its JSON Lines name).
    public var fileName: String {
        switch self {
        case .stock: "stock.jsonl"
        case .auditEvents: "audit_events.jsonl"
        case .freightTemplates: "freight_templates.jsonl"
        case .categoryRestrictions: "category_restrictions.jsonl"
        }
    }

    /// The names under which the file may be present.
    var acceptedNames: [String] {
        self == .stock ? ["stock.jsonl", "stock.csv"] : [fileName]
    }

    public static func < (a: SnapshotFile, b: SnapshotFile) -> Bool {
        a.rank < b.rank
    }

    private var rank: Int {
        switch self {
        case .stock: 0
        case .auditEvents: 1
        case .freightTemplates: 2
        case .categoryRestrictions: 3
        }
    }
}

/// Listing SKUs that have no BigCommerce stock record: how many, and the first few.
public struct UnmatchedSKUs: Sendable, Equatable {
    /// How many (listing, SKU) rows found no stock record.
    public let count: Int
    /// How many (listing, SKU) rows there are.
    public var of: Int = 0
    /// The first few, as SKU codes in listing order (each once).
    public let examples: [String]
    /// How many examples a report keeps.
    public static let exampleLimit = 5
}
