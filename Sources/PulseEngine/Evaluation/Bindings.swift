import PulseConfig
import PulseExpressions
import PulseSnapshot

/// The variables every card expression may use, in slot order: a variable's slot is its position.
///
/// `now`, `profile` and `params` are set once per run; the row variables (`listing`, `sku`,
/// `bc`, `event`) are overwritten for each row.
enum CardVariable: Int, CaseIterable {
    case now, profile, params, listing, sku, bc, event

    /// Its name in expressions.
    var name: String { "\(self)" }

    /// Its type.
    var type: CELType {
        switch self {
        case .now: .timestamp
        case .profile, .params, .listing, .sku, .bc, .event: .object(name)
        }
    }

    /// The row variables and where each exists (nil: set in every card).
    var onlyIn: RowSource? {
        switch self {
        case .sku, .bc: .skus
        case .event: .auditEvents
        default: nil
        }
    }

    var isRow: Bool { rawValue >= CardVariable.listing.rawValue }
}

/// The slot of each ``CardVariable``, as constants for the evaluator.
enum Slots {
    static let now = CardVariable.now.rawValue
    static let profile = CardVariable.profile.rawValue
    static let params = CardVariable.params.rawValue
    static let listing = CardVariable.listing.rawValue
    static let sku = CardVariable.sku.rawValue
    static let bc = CardVariable.bc.rawValue
    static let event = CardVariable.event.rawValue
    static let count = CardVariable.allCases.count
}

/// The fields of `profile`, in the order expressions index them, each with its value.
enum ProfileField: Int, CaseIterable {
    case name, timezone, roles, priorityMarkets, bufferSkus, separateFulfilmentSkus

    var declaration: FieldDeclaration {
        switch self {
        case .name: FieldDeclaration("name", .string, "the profile's name")
        case .timezone: FieldDeclaration("timezone", .string, "IANA time zone")
        case .roles: FieldDeclaration("roles", .list(.string))
        case .priorityMarkets: FieldDeclaration("priority_markets", .list(.string), "ISO 3166-1 alpha-2 codes")
        case .bufferSkus: FieldDeclaration("buffer_skus", .list(.string), "SKUs deliberately sold past BigCommerce zero")
        case .separateFulfilmentSkus: FieldDeclaration("separate_fulfilment_skus", .list(.string), "SKUs fulfilled from stock BigCommerce does not track")
        }
    }

    func value(in profile: ResolvedProfile) -> Value {
        func list(_ items: [String]) -> Value { .list(items.map(Value.string)) }
        switch self {
        case .name: return .string(profile.name)
        case .timezone: return .string(profile.timezone)
        case .roles: return list(profile.roles)
        case .priorityMarkets: return list(profile.priorityMarkets)
        case .bufferSkus: return list(profile.bufferSkus)
        case .separateFulfilmentSkus: return list(profile.separateFulfilmentSkus)
        }
    }
}

/// Builds the expression environment of a card: the model types, the row variables of its
/// source, and `now`, `profile`, `params` typed by the card's declarations.
package enum CardEnvironment {
    /// The `profile` object type.
    static let profileType = ObjectType(name: "profile", fields: ProfileField.allCases.map(\.declaration))

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
        // Declared in slot order; a row variable the source lacks keeps its slot and says where it exists.
        for variable in CardVariable.allCases {
            if variable.isRow, let only = variable.onlyIn, let source, source != only {
                env.reserve(variable.name, unavailableBecause: "'\(variable.name)' exists only in cards with `from: \(only.rawValue)`"
                            + " (this card is `from: \(source.rawValue)`)")
            } else {
                let assigned = env.declare(variable: variable.name, type: variable.type)
                assert(assigned == variable.rawValue)
            }
        }
        return env
    }
}

/// The merchant's profile as expressions see it.
final class ProfileObject: CELObject {
    var celTypeName: String { "profile" }
    private let values: [Value]

    init(_ profile: ResolvedProfile) {
        values = ProfileField.allCases.map { $0.value(in: profile) }
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
