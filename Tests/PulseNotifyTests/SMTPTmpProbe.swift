import Foundation
import PulseNotify
import Testing

@Test func smtpProbePrintFailures() async throws {
    let m = SMTPClientTests.message
    let a = try await SMTPServer.start(.init(security: .startTLS))
    print("UNTRUSTED:", await SMTPClient.send(m, server: try a.url(), timeout: 5))
    let b = try await SMTPServer.start(.init(security: .startTLS, certificateDNSNames: ["mail.example.com"], certificateIPs: ["10.1.2.3"]))
    print("MISMATCH:", await SMTPClient.send(m, server: try b.url(), timeout: 5, extraTrustRootsPEM: b.caPEMPath))
    print("MISMATCH-NAME:", await SMTPClient.send(m, server: URL(string: "smtp://localhost:\(b.port)")!, timeout: 5, extraTrustRootsPEM: b.caPEMPath))
    let c = try await SMTPServer.start(.init(security: .implicitTLS))
    print("SMTPS-UNTRUSTED:", await SMTPClient.send(m, server: try c.url(), timeout: 5))
    print("PLAIN-TO-TLS:", await SMTPClient.send(m, server: URL(string: "smtp://127.0.0.1:\(c.port)")!, timeout: 2))
    let d = try await SMTPServer.start()
    print("TLS-TO-PLAIN:", await SMTPClient.send(m, server: URL(string: "smtps://127.0.0.1:\(d.port)")!, timeout: 2))
    print("DNS:", await SMTPClient.send(m, server: URL(string: "smtp://nonexistent.invalid:25")!, timeout: 3))
    print("TRUST-FILE:", await SMTPClient.send(m, server: try d.url(), timeout: 3, extraTrustRootsPEM: "/etc/hostname"))
    await a.shutdown(); await b.shutdown(); await c.shutdown(); await d.shutdown()
}
