import PulseDiagnostics
import PulseYAML

/// Every card and profile read from a set of paths, with every problem found in them.
public struct ConfigSet: Sendable {
    /// The cards that decoded, in file order.
    public var cards: [Card] = []
    /// The profiles that decoded, in file order.
    public var profiles: [Profile] = []
    /// The `pulse test` files that decoded, in file order (validate checks them as test files).
    public var testFiles: [TestFile] = []
    /// Per-file problems (syntax, schema) so far; ``Linter`` adds the cross-file ones.
    public var diagnostics: [Diagnostic] = []
    /// Keys of card files that are too broken to decode: known to exist, so that references to
    /// them are not reported a second time.
    public var brokenCardKeys: Set<String> = []
    /// Each file's text, for quoting lines in reports.
    public var sources: [String: String] = [:]
    /// How many files were read.
    public var fileCount = 0

    /// An empty set.
    public init() {}

    /// Reads every YAML file under `paths` as a card, a profile or a test file.
    ///
    /// A file under a folder named `profiles` is a profile, one under `cards` a card and one
    /// under `tests` a test file; elsewhere, a file with a top-level `tests` key is a test file,
    /// one with `profile` a profile and one with `key` a card.
    ///
    /// - Throws: ``ConfigAccessError`` when a path is missing or a file unreadable.
    public static func load(paths: [String], limits: YAMLLimits = .default) throws -> ConfigSet {
        var set = ConfigSet()
        for file in try ConfigFiles.yamlFiles(under: paths) {
            set.add(file: file, bytes: try ConfigFiles.read(file), limits: limits)
        }
        return set
    }

    /// Adds one file's content.
    public mutating func add(file: String, bytes: [UInt8], limits: YAMLLimits = .default) {
        fileCount += 1
        let document = YAMLParser.parse(bytes: bytes, file: file, limits: limits)
        sources[file] = document.text
        diagnostics += document.diagnostics
        if document.diagnostics.hasErrors && document.root == nil {
            if isCardPath(file) { brokenCardKeys.insert(ConfigFiles.stem(file)) }
            return
        }
        guard let root = document.root, !root.isNull else {
            diagnostics.append(.error(.emptyFile, "the file is empty; a card needs key, title, connector, from and measure, a profile needs profile",
                                      at: .startOf(file)))
            return
        }
        let reader = NodeReader()
        switch kind(of: file, root: root) {
        case .card:
            if let card = Card.decode(root, file: file, reader: reader) {
                cards.append(card)
            } else {
                let written = root.mapping?.first { $0.key.scalar?.value == "key" }?.value.scalar?.value
                brokenCardKeys.insert(written ?? ConfigFiles.stem(file))
            }
        case .profile:
            if let profile = Profile.decode(root, file: file, reader: reader) { profiles.append(profile) }
        case .test:
            if let test = TestFile.decode(root, file: file, reader: reader) { testFiles.append(test) }
        case nil:
            reader.error(.unknownFileKind,
                         "cannot tell whether this is a card (it would have a 'key'), a profile (a 'profile') or a test file ('tests'); "
                         + "put it under cards/, profiles/ or card-tests/",
                         at: root.location)
        }
        diagnostics += reader.diagnostics
    }

    private enum Kind { case card, profile, test }

    private func isCardPath(_ file: String) -> Bool {
        file.split(separator: "/").dropLast().last(where: { $0 == "cards" || $0 == "profiles" }) == "cards"
    }

    private func kind(of file: String, root: YAMLNode) -> Kind? {
        let folders = file.split(separator: "/").dropLast()
        if let folder = folders.last(where: { $0 == "cards" || $0 == "profiles" || ConfigFiles.testFolders.contains(String($0)) }) {
            return folder == "cards" ? .card : folder == "profiles" ? .profile : .test
        }
        let keys = Set(root.mapping?.compactMap { $0.key.scalar?.value } ?? [])
        if keys.contains("tests") { return .test }
        if keys.contains("profile") { return .profile }
        if keys.contains("key") { return .card }
        return nil
    }

    /// The card with `key`.
    public func card(_ key: String) -> Card? { cards.first { $0.key.value == key } }

    /// The profile called `name`.
    public func profile(_ name: String) -> Profile? { profiles.first { $0.name.value == name } }
}
