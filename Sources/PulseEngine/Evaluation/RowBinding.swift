import PulseConfig
import PulseExpressions
import PulseSnapshot

/// Binds one snapshot row's variables for evaluating a lone expression (`pulse expr --row`).
public struct RowBinding: Sendable {
    /// The environment: every model variable, `now`, `profile` and the card's `params`.
    public let environment: Environment
    private let values: [(Int, Value)]
    /// The profile's zone, for timestamp accessors called without one.
    private var timeZone = CELTimeZone.utc
    /// The snapshot the rows are read from (row values retain their own tables too).
    private let snapshot: Snapshot?

    /// Everything `pulse expr` can bind: a profile, a snapshot, a listing (with one of its SKUs
    /// and its latest audit event), and a card whose params to use.
    public init(profile: ResolvedProfile?, snapshot: Snapshot?, now: CELTimestamp?, listingID: String?, skuCode: String?,
                card: Card?) throws(RowBindingError) {
        var params: [(String, CELType)] = []
        var paramValues: [Value] = []
        if let card {
            guard let profile else { throw RowBindingError("--card needs --profile, whose settings give the params") }
            switch CardSettings.resolve(card, profile: profile) {
            case .failure(let list): throw RowBindingError(list.diagnostics.map(\.description).joined(separator: "\n"))
            case .success(let settings): paramValues = settings.params
            }
            params = card.params.map { ($0.name.value, CardEnvironment.celType($0.type)) }
        }
        let env = CardEnvironment.make(source: nil, params: params)
        var values: [(Int, Value)] = [(Slots.params, .object(ParamsObject(paramValues)))]
        if let time = now ?? snapshot?.takenAt { values.append((Slots.now, .timestamp(time))) }
        if let profile {
            values.append((Slots.profile, .object(ProfileObject(profile))))
            timeZone = CELTimeZone(profile.timezone) ?? .utc
        }
        if let listingID {
            guard let snapshot else { throw RowBindingError("--row needs --snapshot") }
            guard let listing = snapshot.listing(id: listingID) else {
                throw RowBindingError("no listing '\(listingID)' in \(snapshot.folder)")
            }
            values.append((Slots.listing, listing.value))
            let sku: SKUVariant?
            if let skuCode {
                guard let found = listing.skus.first(where: { $0.code == skuCode }) else {
                    throw RowBindingError("listing '\(listingID)' has no SKU '\(skuCode)'; it has \(listing.skus.map(\.code).joined(separator: ", "))")
                }
                sku = found
            } else {
                sku = listing.skus.first
            }
            if let sku {
                values.append((Slots.sku, sku.value))
                values.append((Slots.bc, sku.stockRecord?.value ?? .null))
            }
            if let event = snapshot.auditEvents.filter({ $0.listingID == listingID }).max(by: { $0.at < $1.at }) {
                values.append((Slots.event, event.value))
            }
        }
        self.environment = env
        self.values = values
        self.snapshot = snapshot
    }

    /// Sets the bound values into `activation`.
    public func bind(_ activation: Activation) {
        for (slot, value) in values where slot < activation.slotCount { activation.slots[slot] = value }
        activation.timeZone = timeZone
    }
}

/// Why a row could not be bound.
public struct RowBindingError: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
