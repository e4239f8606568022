import PulseConfig
import PulseExpressions
import PulseSnapshot

/// The rows a card runs over (one per listing, per SKU or per audit event) and, for each row
/// variable, which row of which table it is: the join, as row numbers.
struct RowSpace: Sendable {
    /// A row variable: its slot, its table and its row for each source row (nil: the same row;
    /// -1 in the map: null for that row).
    struct Variable: Sendable {
        let slot: Int
        let table: any RowTable
        let map: [Int32]?
    }

    /// How many source rows.
    let count: Int
    let variables: [Variable]

    let source: RowSource
    let snapshot: Snapshot

    init(source: RowSource, snapshot: Snapshot) {
        self.source = source
        self.snapshot = snapshot
        let listings = snapshot.listingTable
        switch source {
        case .listings:
            count = listings.count
            variables = [Variable(slot: Slots.listing, table: listings, map: nil)]
        case .skus:
            let skus = listings.skus
            count = skus.count
            variables = [Variable(slot: Slots.sku, table: skus, map: nil),
                         Variable(slot: Slots.listing, table: listings, map: skus.listingRows),
                         Variable(slot: Slots.bc, table: snapshot.stockTable, map: skus.stockRows)]
        case .auditEvents:
            let events = snapshot.eventTable
            count = events.count
            variables = [Variable(slot: Slots.event, table: events, map: nil),
                         Variable(slot: Slots.listing, table: listings, map: events.listingRows)]
        }
    }

    /// The variable in `slot`, if it is a row variable of this source.
    func variable(_ slot: Int) -> Variable? { variables.first { $0.slot == slot } }

    /// Sets the row variables of source row `row` into `activation`.
    @inline(__always)
    func bind(_ activation: Activation, _ row: Int) {
        for v in variables {
            let r = v.map.map { Int($0[row]) } ?? row
            activation.slots[v.slot] = r < 0 ? .null : .row(RowRef(v.table, r))
        }
    }

    /// Source row `row` as an observer sees it.
    func context(_ row: Int) -> RowContext {
        let listings = snapshot.listingTable
        switch source {
        case .listings:
            return RowContext(listing: Listing(table: listings, row: row), sku: nil, event: nil)
        case .skus:
            let listing = Listing(table: listings, row: Int(listings.skus.listingRows[row]))
            return RowContext(listing: listing, sku: SKUVariant(table: listings.skus, row: row), event: nil)
        case .auditEvents:
            let event = AuditEvent(table: snapshot.eventTable, row: row)
            return RowContext(listing: event.listing, sku: nil, event: event)
        }
    }
}
