/// Bounds on what one YAML file may cost to read, so a hostile or broken file is refused fast.
public struct YAMLLimits: Sendable {
    /// The largest file accepted, in bytes.
    public var maxBytes: Int
    /// The deepest nesting of sequences and mappings accepted.
    public var maxDepth: Int
    /// The most nodes a document may stand for once every alias is expanded.
    public var maxExpandedNodes: Int

    /// Creates limits.
    public init(maxBytes: Int, maxDepth: Int, maxExpandedNodes: Int) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
        self.maxExpandedNodes = maxExpandedNodes
    }

    /// 4 MiB, 64 levels, 100,000 nodes: far above any real card or profile.
    public static let `default` = YAMLLimits(maxBytes: 4 << 20, maxDepth: 64, maxExpandedNodes: 100_000)
}
