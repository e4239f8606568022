/// Where a snapshot's files come from: BigCommerce (the stock) or AliExpress (listings, freight
/// templates, audit events, category restrictions). Each may have its own `taken_at` in
/// `snapshot.json` (`"sources": {"bigcommerce": {"taken_at": T}, ...}`); see
/// ``Snapshot/takenAt(of:)``. Sources order as declared: `bigcommerce` before `aliexpress`.
public enum SnapshotSource: String, Sendable, CaseIterable, Comparable {
    /// BigCommerce: `stock.jsonl` or `stock.csv`.
    case bigcommerce
    /// AliExpress: `listings.jsonl`, `freight_templates.jsonl`, `audit_events.jsonl` and
    /// `category_restrictions.jsonl`.
    case aliexpress

    /// The source of an optional snapshot file.
    public static func of(_ file: SnapshotFile) -> SnapshotSource {
        switch file {
        case .stock: .bigcommerce
        case .auditEvents, .freightTemplates, .categoryRestrictions: .aliexpress
        }
    }

    /// The source of `listings.jsonl`, the file every snapshot has (not a ``SnapshotFile``, which
    /// names the optional files).
    public static let listings: SnapshotSource = .aliexpress

    /// Declaration order: `bigcommerce` < `aliexpress`.
    public static func < (a: SnapshotSource, b: SnapshotSource) -> Bool {
        (allCases.firstIndex(of: a) ?? 0) < (allCases.firstIndex(of: b) ?? 0)
    }
}
