import Crypto

/// AliExpress Open Platform request signing for `/sync` calls (connectors.md; the official IOP
/// SDKs): HMAC-SHA256 keyed with the app secret, over every parameter but `sign` sorted by name
/// and written as name then value with no separators, in uppercase hex.
public enum AliExpressSigner {
    /// The text that is signed.
    public static func stringToSign(_ parameters: [(String, String)]) -> String {
        parameters.filter { $0.0 != "sign" }
            .sorted { Array($0.0.utf8).lexicographicallyPrecedes(Array($1.0.utf8)) }
            .map { $0.0 + $0.1 }.joined()
    }

    /// The `sign` parameter for `parameters`.
    public static func sign(_ parameters: [(String, String)], secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array(stringToSign(parameters).utf8), using: SymmetricKey(data: Array(secret.utf8)))
        let digits = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in mac {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
