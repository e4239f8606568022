/// A lexical token of a CEL expression, with its offset (in Unicode scalars) in the source.
struct Token: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case int(UInt64)        // magnitude; the sign is applied by the parser
        case uint(UInt64)
        case double(Double)
        case string(String)
        case bytes
        case identifier(String)
        case `true`, `false`, null, `in`
        case punct(String)      // operators and delimiters
        case end
    }

    var kind: Kind
    var offset: Int
    var length: Int
}
