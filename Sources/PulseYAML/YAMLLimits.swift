/// Bounds on what one YAML file may cost to read, so a hostile or broken file is refused fast.
/// Outside this module, start from ``default`` and set the ones to change.
public struct YAMLLimits: Sendable {
    /// The largest file accepted, in bytes.
    public var maxBytes = 4 << 20
    /// The deepest nesting of sequences and mappings accepted.
    public var maxDepth = 64
    /// The most nodes a document may stand for once every alias is expanded.
    public var maxExpandedNodes = 100_000

    /// 4 MiB, 64 levels, 100,000 nodes: far above any real card or profile.
    public static let `default` = YAMLLimits()
}
