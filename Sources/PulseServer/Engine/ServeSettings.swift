import Foundation
import PulseConfig
import PulseConnectors
import PulseExpressions

/// What `pulse serve` was told: flags, else the `--config` file, else the defaults.
public struct ServeSettings: Sendable {
    /// The address to listen on (loopback by default).
    public var host = "127.0.0.1"
    public var port = 8080
    public var cardsDir = "cards"
    public var profilesDir = "profiles"
    /// The history store.
    public var db = ".pulse/history.sqlite"
    /// A folder with one subfolder per profile, each holding that profile's snapshot folders.
    public var snapshotsDir = "snapshots"
    /// The tokens file.
    public var tokensPath = ""
    /// How often to run each profile's connectors (nil: never).
    public var pullEvery: ConfigDuration?
    /// Where to POST alert transitions (v1).
    public var notifyWebhook: URL?
    /// Seconds a notification call may take.
    public var notifyTimeout = 10.0
    /// Seconds before a notification's first retry within a delivery (doubling).
    public var notifyBackoff = 0.5
    /// Where `${NAME}` secrets of the profiles' `sources` are read from (scheduled pulls).
    public var environment = ProcessInfo.processInfo.environment
    /// How scheduled pulls retry.
    public var pullBackoff = Backoff.standard
    /// Seconds a client has, from opening a connection (or starting its next request), to send a
    /// request's whole header (`header-timeout`).
    public var headerTimeout = 10.0
    /// Seconds a connection may sit without a request before it is closed (`idle-timeout`).
    public var idleTimeout = 60.0
    /// Connections open at once (`max-connections`); more wait until one closes.
    public var maxConnections = 512
    /// `keep`: only the newest N complete snapshots of each profile are kept, never the one
    /// served (nil: all are kept).
    public var keep: Int?
    /// How often the folders are looked at for new snapshots and config changes, in seconds.
    public var pollSeconds = 0.25
    /// The evaluation clock data age is judged at (nil: the wall clock; tests fix it).
    public var clock: (@Sendable () -> CELTimestamp)? = nil

    /// The defaults.
    public init() {}

    /// Splits `HOST:PORT` (`[::1]:8080` for IPv6); nil when it is not one.
    public static func address(_ text: String) -> (host: String, port: Int)? {
        var host: Substring, portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard !host.isEmpty, portText.count <= 5, let port = Int(portText), (0...65_535).contains(port) else { return nil }
        return (String(host), port)
    }
}
