import Foundation
import NIOCore

/// Where to send: an `smtp://` or `smtps://` URL taken apart, credentials percent-decoded.
package struct SMTPServerAddress: Sendable, Equatable {
    /// How the connection is secured.
    package enum Security: Sendable, Equatable {
        /// `smtp://`: plain, upgraded with STARTTLS when the server offers it.
        case startTLSWhenOffered
        /// `smtps://`: TLS from the first byte.
        case implicitTLS
    }

    package var security: Security
    /// The host as written, without IPv6 brackets or a trailing dot.
    package var host: String
    package var port: Int
    package var user: String?
    package var password: String?

    /// The server for messages: `scheme://host:port`, never the user or password.
    package var label: String {
        let scheme = security == .implicitTLS ? "smtps" : "smtp"
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "\(scheme)://\(shownHost):\(port)"
    }

    /// Whether the host is an IP address literal (IPv4 or IPv6) rather than a name.
    package var isIPLiteral: Bool { Self.ipBytes(host) != nil }

    /// Whether the host is a loopback address: 127.0.0.0/8, ::1 (also as ::ffff:127.x.x.x), or `localhost`.
    package var isLoopback: Bool { Self.isLoopback(host: host) }

    /// Parses `url`; the error text never repeats the URL's user info.
    package static func parse(_ url: URL) -> Result<SMTPServerAddress, SMTPClient.Problem> {
        guard let scheme = url.scheme?.lowercased() else {
            return .failure(SMTPClient.Problem(text: "the server URL has no scheme (expected smtp://host[:port] or smtps://host[:port])"))
        }
        let security: Security
        let defaultPort: Int
        switch scheme {
        case "smtp": security = .startTLSWhenOffered; defaultPort = 25
        case "smtps": security = .implicitTLS; defaultPort = 465
        default:
            let shown = scheme.count > 20 ? String(scheme.prefix(20)) + "…" : scheme
            return .failure(SMTPClient.Problem(text: "the server URL's scheme \"\(shown)\" is not smtp or smtps"))
        }
        guard var host = url.host, !host.isEmpty else {
            return .failure(SMTPClient.Problem(text: "the server URL has no host (expected \(scheme)://host[:port])"))
        }
        if host.hasPrefix("["), host.hasSuffix("]"), host.count >= 2 { host = String(host.dropFirst().dropLast()) }
        if host.hasSuffix("."), host.count > 1 { host.removeLast() }
        guard host.utf8.count <= 253,
              host.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F && $0 != "/" && $0 != "@" })
        else {
            return .failure(SMTPClient.Problem(text: "the server URL's host is not a valid host name"))
        }
        let port = url.port ?? defaultPort
        guard (1...65535).contains(port) else {
            return .failure(SMTPClient.Problem(text: "the server URL's port \(port) is not between 1 and 65535"))
        }
        var address = SMTPServerAddress(security: security, host: host, port: port, user: nil, password: nil)
        let encodedPassword = url.password(percentEncoded: true)
        if let encodedUser = url.user(percentEncoded: true) {
            guard let user = encodedUser.removingPercentEncoding,
                  let password = (encodedPassword ?? "").removingPercentEncoding else {
                return .failure(SMTPClient.Problem(text: "\(address.label): the URL's user or password is not valid percent-encoding"))
            }
            guard !user.isEmpty else {
                return .failure(SMTPClient.Problem(text: "\(address.label): the URL has a password but no user name"))
            }
            guard !user.contains("\0"), !password.contains("\0") else {
                return .failure(SMTPClient.Problem(text: "\(address.label): the URL's user or password contains a NUL character"))
            }
            address.user = user
            address.password = password
        } else if encodedPassword != nil {
            return .failure(SMTPClient.Problem(text: "\(address.label): the URL has a password but no user name"))
        }
        return .success(address)
    }

    /// Why the password may not be sent, or nil when it may: credentials go over an unencrypted
    /// connection only to a loopback host.
    package static func plaintextPasswordRefusal(host: String, hasCredentials: Bool, isTLS: Bool) -> String? {
        guard hasCredentials, !isTLS, !isLoopback(host: host) else { return nil }
        return "refusing to send the password over an unencrypted connection: the server does not offer STARTTLS "
            + "(use smtps://, or a server that offers STARTTLS; a password goes unencrypted only to a loopback "
            + "address: 127.0.0.0/8, ::1, localhost)"
    }

    /// Whether `host` is a loopback address or `localhost`.
    package static func isLoopback(host: String) -> Bool {
        var name = host.lowercased()
        if name.hasPrefix("["), name.hasSuffix("]"), name.count >= 2 { name = String(name.dropFirst().dropLast()) }
        if name.hasSuffix("."), name.count > 1 { name.removeLast() }
        if name == "localhost" { return true }
        guard let bytes = ipBytes(name) else { return false }
        if bytes.count == 4 { return bytes[0] == 127 }
        if bytes.count == 16 {
            if bytes[0..<15].allSatisfy({ $0 == 0 }) && bytes[15] == 1 { return true }
            // IPv4-mapped (::ffff:a.b.c.d).
            if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF { return bytes[12] == 127 }
        }
        return false
    }

    /// The address bytes of an IP literal (4 or 16), or nil for a name.
    static func ipBytes(_ host: String) -> [UInt8]? {
        guard let address = try? SocketAddress(ipAddress: host, port: 0) else { return nil }
        switch address {
        case .v4(let v4):
            return withUnsafeBytes(of: v4.address.sin_addr) { Array($0) }
        case .v6(let v6):
            return withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) }
        case .unixDomainSocket:
            return nil
        }
    }
}
