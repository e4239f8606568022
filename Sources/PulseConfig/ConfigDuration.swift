/// A whole-second span written as `90m`, `24h`, `7d` or a sum such as `1d12h`.
///
/// Units: `s` seconds, `m` minutes, `h` hours, `d` days, `w` weeks.
public struct ConfigDuration: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The length in seconds.
    public var seconds: Int
    /// The spelling it was written with (`24h`), kept for display.
    public var written: String?

    /// Creates a duration of `seconds`.
    public init(seconds: Int) {
        self.seconds = seconds
    }

    public static func == (a: ConfigDuration, b: ConfigDuration) -> Bool { a.seconds == b.seconds }
    public func hash(into hasher: inout Hasher) { hasher.combine(seconds) }

    /// The longest duration a config may hold: 36,500 days (100 years), well inside what a CEL
    /// duration (64-bit nanoseconds, about 292 years) and timestamp arithmetic can hold.
    public static let maxSeconds = 36_500 * 86_400

    /// How the longest duration is written in messages.
    public static let maxDescription = "36500d (100 years)"

    private static let units: [(Character, Int)] = [("w", 604_800), ("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)]

    /// Parses `24h`, `7d`, `90m`, `1d12h`; nil for anything else (no sign, no fractions, at
    /// least one part, each unit at most once and largest first) and for more than ``maxSeconds``.
    public init?(parsing text: String) {
        var total = 0
        var digits = ""
        var lastUnitIndex = -1
        var parts = 0
        for character in text {
            if character.isASCII, character.isNumber {
                digits.append(character)
                continue
            }
            guard !digits.isEmpty, let n = Int(digits),
                  let unitIndex = Self.units.firstIndex(where: { $0.0 == character }),
                  unitIndex > lastUnitIndex
            else { return nil }
            let (product, overflow1) = n.multipliedReportingOverflow(by: Self.units[unitIndex].1)
            let (sum, overflow2) = total.addingReportingOverflow(product)
            guard !overflow1, !overflow2 else { return nil }
            total = sum
            digits = ""
            lastUnitIndex = unitIndex
            parts += 1
        }
        guard digits.isEmpty, parts > 0, total <= Self.maxSeconds else { return nil }
        seconds = total
        written = text
    }

    public static func < (lhs: ConfigDuration, rhs: ConfigDuration) -> Bool { lhs.seconds < rhs.seconds }

    /// The spelling it was written with, else the shortest: `90m` becomes `1h30m`, zero is `0s`.
    public var description: String {
        if let written { return written }
        if seconds == 0 { return "0s" }
        var rest = seconds
        var out = ""
        for (unit, size) in Self.units where rest >= size {
            out += "\(rest / size)\(unit)"
            rest %= size
        }
        return out
    }
}
