import PulseConfig
import PulseExpressions
import PulseSnapshot

/// The variables every card expression may use and the slots they live in.
///
/// `now`, `profile` and `params` are set once per run; the row variables (`listing`, `sku`,
/// `bc`, `event`) are overwritten for each row.
enum Slots {
    static let now = 0
    static let profile = 1
    static let params = 2
    static let listing = 3
    static let sku = 4
    static let bc = 5
    static let event = 6
    static let count = 7
}

/// Builds the expression environment of a card: the model types, the row variables of its
/// source, and `now`, `profile`, `params` typed by the card's declarations.
package enum CardEnvironment {
    /// The `profile` object type.
    static let profileType = ObjectType(name: "profile", fields: [
        FieldDeclaration("name", .string, "the profile's name"),
        FieldDeclaration("timezone", .string, "IANA time zone"),
        FieldDeclaration("roles", .list(.string)),
        FieldDeclaration("priority_markets", .list(.string), "ISO 3166-1 alpha-2 codes"),
        FieldDeclaration("buffer_skus", .list(.string), "SKUs deliberately sold past BigCommerce zero"),
        FieldDeclaration("separate_fulfilment_skus", .list(.string), "SKUs fulfilled from stock BigCommerce does not track"),
    ])

    static func celType(_ type: ParamType) -> CELType {
        switch type {
        case .bool: return .bool
        case .int: return .int
        case .double: return .double
        case .string: return .string
        case .duration: return .duration
        case .stringList: return .list(.string)
        }
    }

    /// The environment for `card`'s expressions (its source decides which row variables exist).
    static func make(for card: Card) -> Environment {
        make(source: card.from, params: card.params.map { ($0.name.value, celType($0.type)) })
    }

    /// The environment for a row source and a list of typed params.
    package static func make(source: RowSource?, params: [(String, CELType)]) -> Environment {
        var env = Environment()
        for type in ModelTypes.all { env.declare(type) }
        env.declare(profileType)
        env.declare(ObjectType(name: "params", fields: params.map { FieldDeclaration($0.0, $0.1) }))
        // Declared in slot order.
        env.declare(variable: "now", type: .timestamp)
        env.declare(variable: "profile", type: .object("profile"))
        env.declare(variable: "params", type: .object("params"))
        let rowVariables: [(String, CELType)]
        switch source {
        case .listings?: rowVariables = [("listing", .object("listing"))]
        case .skus?: rowVariables = [("listing", .object("listing")), ("sku", .object("sku")), ("bc", .object("bc"))]
        case .auditEvents?: rowVariables = [("listing", .object("listing")), ("event", .object("event"))]
        case nil: rowVariables = [("listing", .object("listing")), ("sku", .object("sku")), ("bc", .object("bc")), ("event", .object("event"))]
        }
        var slot = Slots.listing
        for name in ["listing", "sku", "bc", "event"] {
            if let (_, type) = rowVariables.first(where: { $0.0 == name }) {
                let assigned = env.declare(variable: name, type: type)
                assert(assigned == slot)
            } else {
                // Keep the slot layout fixed; an expression that uses the name is told where it exists.
                let only = name == "event" ? "audit_events" : "skus"
                env.reserve(name, unavailableBecause: "'\(name)' exists only in cards with `from: \(only)`"
                            + (source.map { " (this card is `from: \($0.rawValue)`)" } ?? ""))
            }
            slot += 1
        }
        return env
    }
}

/// The merchant's profile as expressions see it.
final class ProfileObject: CELObject {
    var celTypeName: String { "profile" }
    private let values: [Value]

    init(_ profile: ResolvedProfile) {
        func list(_ items: [String]) -> Value { .list(items.map(Value.string)) }
        values = [.string(profile.name), .string(profile.timezone), list(profile.roles), list(profile.priorityMarkets),
                  list(profile.bufferSkus), list(profile.separateFulfilmentSkus)]
    }

    func field(_ index: Int) -> Value { index < values.count ? values[index] : .null }
}

/// A card's params (defaults with the profile's overrides) as expressions see them.
final class ParamsObject: CELObject {
    var celTypeName: String { "params" }
    let values: [Value]

    init(_ values: [Value]) {
        self.values = values
    }

    func field(_ index: Int) -> Value { index < values.count ? values[index] : .null }

    static func value(_ param: ParamValue) -> Value {
        switch param {
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(Int64(i))
        case .double(let d): return .double(d)
        case .string(let s): return .string(s)
        case .duration(let d):
            // Config durations are at most ConfigDuration.maxSeconds; clamp anyway rather than trap.
            let (nanos, overflow) = Int64(clamping: d.seconds).multipliedReportingOverflow(by: 1_000_000_000)
            return .duration(CELDuration(nanoseconds: overflow ? (d.seconds < 0 ? Int64.min : Int64.max) : nanos))
        case .stringList(let l): return .list(l.map(Value.string))
        }
    }
}
