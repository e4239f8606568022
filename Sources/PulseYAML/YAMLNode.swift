import PulseDiagnostics

/// How a scalar was written in the file.
public enum ScalarStyle: Sendable, Hashable {
    case plain
    case singleQuoted
    case doubleQuoted
    case literal
    case folded
}

/// A scalar: its text as the YAML processor read it, how it was written, and a way back from an
/// offset in the text to the file's own line and column.
public struct YAMLScalar: Sendable {
    /// The scalar's value after YAML's folding and escapes.
    public let value: String
    /// The style it was written in.
    public let style: ScalarStyle
    /// The explicit tag, e.g. `tag:yaml.org,2002:str` for `!!str`, if any.
    public let tag: String?
    let span: SourceSpan

    /// Whether the scalar is a YAML null: plain and empty, `~`, `null`, `Null` or `NULL`.
    public var isNull: Bool {
        style == .plain && tag == nil && ["", "~", "null", "Null", "NULL"].contains(value)
    }

    /// The file position of the Unicode scalar at `offset` in `value` (0-based).
    ///
    /// Works for every style: the value is aligned with its source text, so indentation, folded
    /// line breaks, quotes and block headers are skipped. An offset at or past the end maps just
    /// after the last character.
    public func location(ofOffset offset: Int) -> SourceLocation {
        span.location(ofValueOffset: offset, value: value)
    }

    /// Where each character of the value is in the file, for the layers above YAML.
    public var textSource: TextSource {
        let scalar = self
        return TextSource { scalar.location(ofOffset: $0) }
    }
}

/// A mapping entry, in file order.
public struct YAMLPair: Sendable {
    /// The key node (a scalar in every file Pulse accepts).
    public let key: YAMLNode
    /// The value node.
    public let value: YAMLNode
}

/// An immutable YAML node that knows where it came from.
public struct YAMLNode: Sendable {
    /// What the node holds.
    public indirect enum Content: Sendable {
        case scalar(YAMLScalar)
        case sequence([YAMLNode])
        case mapping([YAMLPair])
    }

    /// The node's content.
    public let content: Content
    /// Where the node starts (for a block scalar, its `|` or `>` indicator).
    public let location: SourceLocation
    /// How many nodes this one stands for once aliases are expanded (itself included).
    let expandedSize: Int

    /// The scalar, if this is one.
    public var scalar: YAMLScalar? {
        if case .scalar(let s) = content { return s }
        return nil
    }

    /// The items, if this is a sequence.
    public var sequence: [YAMLNode]? {
        if case .sequence(let items) = content { return items }
        return nil
    }

    /// The entries, if this is a mapping.
    public var mapping: [YAMLPair]? {
        if case .mapping(let pairs) = content { return pairs }
        return nil
    }

    /// Whether this is a YAML null scalar.
    public var isNull: Bool { scalar?.isNull ?? false }

    /// A word for the node's kind, for messages: `a mapping`, `a list`, `a string`, `null`.
    public var kindDescription: String {
        switch content {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar(let s): return s.isNull ? "null" : "a scalar (\(s.value.debugDescription))"
        }
    }
}
