/// A CEL duration, held as signed 64-bit nanoseconds (about ±292 years), as cel-go holds it:
/// arithmetic that leaves that range is an error.
public struct CELDuration: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The length in nanoseconds.
    public let nanoseconds: Int64

    /// A duration of `nanoseconds`.
    public init(nanoseconds: Int64) {
        self.nanoseconds = nanoseconds
    }

    /// `seconds` + `nanos`, or nil when out of range.
    public init?(seconds: Int64, nanos: Int64 = 0) {
        let (s, o1) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        let (total, o2) = s.addingReportingOverflow(nanos)
        guard !o1, !o2 else { return nil }
        nanoseconds = total
    }

    /// Whole seconds, truncated toward zero.
    public var seconds: Int64 { nanoseconds / 1_000_000_000 }
    /// The nanoseconds beyond ``seconds`` (with the duration's sign).
    public var nanos: Int64 { nanoseconds % 1_000_000_000 }

    public static func < (a: CELDuration, b: CELDuration) -> Bool { a.nanoseconds < b.nanoseconds }

    /// `a + b`, nil on overflow.
    public static func adding(_ a: CELDuration, _ b: CELDuration) -> CELDuration? {
        let (r, o) = a.nanoseconds.addingReportingOverflow(b.nanoseconds)
        return o ? nil : CELDuration(nanoseconds: r)
    }

    /// `-d`, nil on overflow.
    public var negated: CELDuration? {
        nanoseconds == .min ? nil : CELDuration(nanoseconds: -nanoseconds)
    }

    /// `86400s`, `1.5s`, `-0.000000001s`: the protobuf JSON form.
    public var description: String {
        if nanos == 0 { return "\(seconds)s" }
        var fraction = String(abs(nanos))
        fraction = String(repeating: "0", count: 9 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(nanoseconds < 0 ? "-" : "")\(abs(seconds)).\(fraction)s"
    }

    /// For people: days, hours, minutes and seconds, largest first (`3d 14h`, `45m 10s`,
    /// `1.5s`, `-2h`); ``description`` stays the machine form (`309600s`).
    public var readable: String {
        if nanoseconds == 0 { return "0s" }
        let negative = nanoseconds < 0
        // The magnitude in whole seconds and the nanoseconds left (Int64.min has no positive twin).
        let total = nanoseconds.magnitude
        var rest = total / 1_000_000_000
        let fraction = total % 1_000_000_000
        var parts: [String] = []
        for (unit, size) in [("d", UInt64(86_400)), ("h", 3600), ("m", 60)] where rest >= size {
            parts.append("\(rest / size)\(unit)")
            rest %= size
        }
        if rest > 0 || fraction > 0 {
            var seconds = "\(rest)"
            if fraction > 0 {
                var digits = String(fraction)
                digits = String(repeating: "0", count: 9 - digits.count) + digits
                while digits.hasSuffix("0") { digits.removeLast() }
                seconds += "." + digits
            }
            parts.append(seconds + "s")
        }
        return (negative ? "-" : "") + parts.joined(separator: " ")
    }

    /// Parses durations as CEL does (Go's syntax): `1h30m`, `-999999999ns`, `1.5s`, `120s`;
    /// units `h`, `m`, `s`, `ms`, `us`, `ns`.
    public init?(parsing text: String) {
        var rest = Substring(text)
        var negative = false
        if let sign = rest.first, sign == "-" || sign == "+" {
            negative = sign == "-"
            rest = rest.dropFirst()
        }
        if rest == "0" { self.init(nanoseconds: 0); return }
        guard !rest.isEmpty else { return nil }
        let units: [(String, Int64)] = [("ns", 1), ("us", 1_000), ("µs", 1_000), ("ms", 1_000_000), ("s", 1_000_000_000),
                                        ("m", 60_000_000_000), ("h", 3_600_000_000_000)]
        var total: Int64 = 0
        while !rest.isEmpty {
            var whole = ""
            while let c = rest.first, c.isASCII, c.isNumber { whole.append(c); rest = rest.dropFirst() }
            var fraction = ""
            if rest.first == "." {
                rest = rest.dropFirst()
                while let c = rest.first, c.isASCII, c.isNumber { fraction.append(c); rest = rest.dropFirst() }
            }
            guard !(whole.isEmpty && fraction.isEmpty) else { return nil }
            var unitText = ""
            while let c = rest.first, !(c.isASCII && (c.isNumber || c == ".")) { unitText.append(c); rest = rest.dropFirst() }
            guard let unit = units.first(where: { $0.0 == unitText })?.1, let w = Int64(whole.isEmpty ? "0" : whole) else { return nil }
            let (part, o1) = w.multipliedReportingOverflow(by: unit)
            guard !o1 else { return nil }
            var fractionNanos: Int64 = 0
            if !fraction.isEmpty {
                var scale: Double = 1
                var f: Double = 0
                for c in fraction.prefix(18) {
                    f = f * 10 + Double((c.asciiValue ?? 48) - 48)
                    scale *= 10
                }
                fractionNanos = Int64((f / scale * Double(unit)).rounded())
            }
            let (sum, o2) = total.addingReportingOverflow(part)
            let (sum2, o3) = sum.addingReportingOverflow(fractionNanos)
            guard !o2, !o3 else { return nil }
            total = sum2
        }
        self.init(nanoseconds: negative ? -total : total)
    }
}
