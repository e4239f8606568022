import Foundation
import PulseDiagnostics
import PulseYAML

/// The keys of `pulse serve --config FILE`: each is a flag's name, and a flag given on the
/// command line wins over the file.
public enum ServeKey: String, CaseIterable, Sendable {
    case listen, cards, profiles, db, snapshots, tokens
    case pullEvery = "pull-every"
    case notifyWebhook = "notify-webhook"
    case headerTimeout = "header-timeout"
    case idleTimeout = "idle-timeout"
    case maxConnections = "max-connections"
    case keep

    /// What the key sets, for the README.
    public var doc: String {
        switch self {
        case .listen: "HOST:PORT to listen on (default 127.0.0.1:8080)"
        case .cards: "the folder of cards (default cards)"
        case .profiles: "the folder of profiles (default profiles)"
        case .db: "the history store (default $PULSE_DB, else .pulse/history.sqlite)"
        case .snapshots: "a folder with one subfolder per profile, each holding that profile's snapshot folders (default snapshots)"
        case .tokens: "the tokens file (required)"
        case .pullEvery: "run each profile's connectors this often (a duration such as 15m; default never)"
        case .notifyWebhook: "POST each alert transition as JSON to this URL"
        case .headerTimeout: "a client's time to send a request's whole header, from opening the connection or starting its next request; then 408 and the connection is closed (default 10s)"
        case .idleTimeout: "a connection without a request (keep-alive, or a body that stopped arriving) is closed after this (default 60s)"
        case .maxConnections: "connections open at once; more wait in the listen backlog until one closes (default 512)"
        case .keep: "keep only the newest N complete snapshots of each profile, never the one served (default all)"
        }
    }
}

/// A `serve.yaml`: the values of `pulse serve`'s flags, each located.
public struct ServeFile: Sendable {
    /// Each key written, with its value (durations as written).
    public var values: [ServeKey: Located<String>] = [:]

    /// Reads and checks `path`; the diagnostics name every problem.
    public static func load(path: String) -> Result<ServeFile, DiagnosticList> {
        ConfigFileReading.read(path: path, kind: "serve config") { root, reader in
            guard let f = reader.fields(of: root, in: "the serve config", known: ServeKey.allCases.map(\.rawValue), required: []) else { return nil }
            var file = ServeFile()
            for key in ServeKey.allCases {
                guard let pair = f[key.rawValue], let text = reader.nonEmptyString(pair.value, key.rawValue) else { continue }
                if key == .pullEvery || key == .headerTimeout || key == .idleTimeout, reader.duration(pair.value, key.rawValue) == nil { continue }
                if key == .maxConnections || key == .keep {
                    guard let n = reader.int(pair.value, key.rawValue) else { continue }
                    guard n >= 1 else {
                        reader.error(.invalidValue, "\(key.rawValue) must be 1 or more, not \(n)", at: pair.value.location)
                        continue
                    }
                }
                file.values[key] = text
            }
            return file
        }
    }
}

/// One line of a tokens file: who holds a token (by name), the SHA-256 of the token, and what it
/// may see.
public struct TokenEntry: Sendable {
    /// A name for people (`ops-laptop`), unique in the file.
    public var name: Located<String>
    /// The SHA-256 digest of the bearer token (32 bytes).
    public var sha256: [UInt8]
    /// The one profile it sees.
    public var profile: Located<String>
    /// The role whose cards it sees.
    public var role: Located<String>
}

/// A tokens file: `tokens: [{name, sha256, profile, role}]`, with the hex SHA-256 of each token,
/// never the token itself.
public enum TokenFile {
    /// Reads and checks `path`: shapes, hex digests, unique names and digests. Whether the profile
    /// and role exist is the server's check (it knows the profiles).
    public static func load(path: String) -> Result<[TokenEntry], DiagnosticList> {
        ConfigFileReading.read(path: path, kind: "tokens file") { root, reader in
            guard let f = reader.fields(of: root, in: "the tokens file", known: ["tokens"], required: ["tokens"]) else { return nil }
            guard let list = f["tokens"]?.value else { return nil }
            guard let items = list.sequence else {
                reader.error(.wrongType, "tokens must be a list of {name, sha256, profile, role}, not \(list.kindDescription)", at: list.location)
                return nil
            }
            var entries: [TokenEntry] = []
            var names: [String: SourceLocation] = [:]
            var digests: [[UInt8]: String] = [:]
            for item in items {
                guard let t = reader.fields(of: item, in: "a token", known: ["name", "sha256", "profile", "role"],
                                            required: ["name", "sha256", "profile", "role"]) else { continue }
                guard let name = t["name"].flatMap({ reader.nonEmptyString($0.value, "name") }),
                      let hex = t["sha256"].flatMap({ reader.nonEmptyString($0.value, "sha256") }),
                      let profile = t["profile"].flatMap({ reader.nonEmptyString($0.value, "profile") }),
                      let role = t["role"].flatMap({ reader.nonEmptyString($0.value, "role") }) else { continue }
                guard let digest = hexDigest(hex.value) else {
                    reader.error(.invalidValue, "sha256 of '\(name.value)' must be 64 hex digits (the SHA-256 of the token; pulse token new prints it), "
                                 + "not a value of \(hex.value.count) characters", at: hex.location)
                    continue
                }
                if let first = names[name.value] {
                    reader.error(.invalidValue, "token name '\(name.value)' is used twice (first at line \(first.line))", at: name.location)
                    continue
                }
                if let other = digests[digest] {
                    reader.error(.invalidValue, "token '\(name.value)' has the same sha256 as '\(other)': one token, one entry", at: hex.location)
                    continue
                }
                names[name.value] = name.location
                digests[digest] = name.value
                entries.append(TokenEntry(name: name, sha256: digest, profile: profile, role: role))
            }
            return entries
        }
    }

    /// The 32 bytes of a 64-digit hex string, else nil.
    static func hexDigest(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count == 64 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(32)
        var i = 0
        while i < 64 {
            guard let high = hexValue(digits[i]), let low = hexValue(digits[i + 1]) else { return nil }
            out.append(high << 4 | low)
            i += 2
        }
        return out
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x61...0x66: c - 0x61 + 10
        case 0x41...0x46: c - 0x41 + 10
        default: nil
        }
    }
}

/// Reading one YAML file of a kind that is not a card or a profile, into a value or located findings.
enum ConfigFileReading {
    static func read<T>(path: String, kind: String, _ decode: (YAMLNode, NodeReader) -> T?) -> Result<T, DiagnosticList> {
        let start = SourceLocation(file: path, line: 1, column: 1)
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(DiagnosticList([.error(.invalidValue, "cannot read the \(kind) \(path)", at: start)]))
        }
        let document = YAMLParser.parse(bytes: Array(data), file: path)
        let reader = NodeReader()
        reader.diagnostics = document.diagnostics
        guard let root = document.root, !root.isNull else {
            if !document.diagnostics.hasErrors { reader.error(.emptyFile, "the \(kind) is empty", at: start) }
            return .failure(DiagnosticList(reader.diagnostics))
        }
        let value = document.diagnostics.hasErrors ? nil : decode(root, reader)
        guard let value, !reader.diagnostics.hasErrors else { return .failure(DiagnosticList(reader.diagnostics)) }
        return .success(value)
    }
}

extension ServeKey {
    /// The README's table of `pulse serve`'s flags and config keys, generated from the enum.
    public static var readmeTable: String {
        "| flag | `serve.yaml` key | meaning |\n|---|---|---|\n"
            + allCases.map { "| `--\($0.rawValue)` | `\($0.rawValue):` | \($0.doc) |\n" }.joined()
    }
}
