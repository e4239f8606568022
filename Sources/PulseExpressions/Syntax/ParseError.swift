/// A syntax error at an offset (in Unicode scalars) in the expression text.
public struct ParseError: Error, Sendable, Equatable {
    /// The offset of the offending character.
    public var offset: Int
    /// What is wrong.
    public var message: String
}
