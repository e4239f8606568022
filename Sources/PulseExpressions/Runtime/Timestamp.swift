#if canImport(Glibc)
import Glibc
#endif
/// A CEL timestamp: an instant between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999999Z,
/// as seconds and nanoseconds since the Unix epoch.
public struct CELTimestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Whole seconds since 1970-01-01T00:00:00Z (floor).
    public let seconds: Int64
    /// Nanoseconds within the second, 0 ..< 1,000,000,000.
    public let nanos: Int64

    /// The earliest second: 0001-01-01T00:00:00Z.
    public static let minSeconds: Int64 = -62_135_596_800
    /// The latest second: 9999-12-31T23:59:59Z.
    public static let maxSeconds: Int64 = 253_402_300_799

    /// The earliest instant, 0001-01-01T00:00:00Z.
    public static let minimum = CELTimestamp(checkedSeconds: minSeconds, nanos: 0)

    /// The wall clock, to the second (the evaluation clock when no `--now` is given).
    public static var wallClock: CELTimestamp {
        CELTimestamp(seconds: Int64(time(nil))) ?? .minimum
    }

    /// 1970-01-01T00:00:00Z.
    public static let epoch = CELTimestamp(checkedSeconds: 0, nanos: 0)

    /// A timestamp from values already known to be in range (`nanos` in 0 ..< 1e9).
    public init(checkedSeconds: Int64, nanos: Int64) {
        seconds = checkedSeconds
        self.nanos = nanos
    }

    /// Creates a timestamp from seconds and (any) nanoseconds, or nil outside CEL's range.
    public init?(seconds: Int64, nanos: Int64 = 0) {
        let carry = floorDiv(nanos, 1_000_000_000)
        let (s, overflow) = seconds.addingReportingOverflow(carry)
        guard !overflow, s >= CELTimestamp.minSeconds, s <= CELTimestamp.maxSeconds else { return nil }
        self.seconds = s
        self.nanos = nanos - carry * 1_000_000_000
    }

    public static func < (a: CELTimestamp, b: CELTimestamp) -> Bool {
        a.seconds != b.seconds ? a.seconds < b.seconds : a.nanos < b.nanos
    }

    /// `timestamp + duration`, nil when out of range.
    public func adding(_ d: CELDuration) -> CELTimestamp? {
        let (s, o) = seconds.addingReportingOverflow(d.seconds)
        guard !o else { return nil }
        return CELTimestamp(seconds: s, nanos: nanos + d.nanos)
    }

    /// `self - other` as a duration, nil when it does not fit a duration.
    public func subtracting(_ other: CELTimestamp) -> CELDuration? {
        let (s, o) = seconds.subtractingReportingOverflow(other.seconds)
        guard !o else { return nil }
        return CELDuration(seconds: s, nanos: nanos - other.nanos)
    }

    /// RFC 3339 in UTC, with as many fractional digits as needed: `2026-03-17T08:00:00Z`.
    public var description: String {
        let days = floorDiv(seconds, 86_400)
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = CELTimestamp.civil(fromDays: days)
        var out = pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T"
        out += pad(secondOfDay / 3600, 2) + ":" + pad(secondOfDay % 3600 / 60, 2) + ":" + pad(secondOfDay % 60, 2)
        if nanos != 0 {
            var fraction = pad(nanos, 9)
            while fraction.hasSuffix("0") { fraction.removeLast() }
            out += "." + fraction
        }
        return out + "Z"
    }

    /// Parses RFC 3339: `2009-02-13T23:31:30Z`, with optional fraction and `±hh:mm` offset.
    public init?(parsing text: String) {
        var text = text
        guard let parsed = text.withUTF8({ CELTimestamp(utf8: $0) }) else { return nil }
        self = parsed
    }

    /// Parses RFC 3339 from UTF-8 bytes (no copy, no String).
    public init?(utf8 b: UnsafeBufferPointer<UInt8>) {
        // The usual form, `2026-03-17T08:00:00Z`, straight through; anything else below.
        if b.count == 20, b[19] == UInt8(ascii: "Z"), b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"), b[10] == UInt8(ascii: "T"),
           b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":") {
            self.init(usualForm: b)
            return
        }
        func digits(_ from: Int, _ count: Int) -> Int64? {
            guard from + count <= b.count else { return nil }
            var v: Int64 = 0
            for i in from..<(from + count) {
                guard b[i] >= 48 && b[i] <= 57 else { return nil }
                v = v * 10 + Int64(b[i] - 48)
            }
            return v
        }
        guard b.count >= 20, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
              b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t") || b[10] == UInt8(ascii: " "),
              b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"),
              let year = digits(0, 4), let month = digits(5, 2), let day = digits(8, 2),
              let hour = digits(11, 2), let minute = digits(14, 2), let second = digits(17, 2),
              year >= 1, (1...12).contains(month), day >= 1, day <= CELTimestamp.daysIn(month: month, year: year),
              hour < 24, minute < 60, second < 60
        else { return nil }
        var i = 19
        var nanos: Int64 = 0
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            var count = 0
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                if count < 9 { nanos = nanos * 10 + Int64(b[i] - 48) }
                count += 1
                i += 1
            }
            guard count > 0 else { return nil }
            // Digits past the ninth (below a nanosecond) are read and dropped, as cel-go does.
            if count < 9 { for _ in count..<9 { nanos *= 10 } }
        }
        var offset: Int64 = 0
        guard i < b.count else { return nil }
        if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
            i += 1
        } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            guard let oh = digits(i + 1, 2), i + 3 < b.count, b[i + 3] == UInt8(ascii: ":"), let om = digits(i + 4, 2),
                  oh < 24, om < 60
            else { return nil }
            offset = (oh * 3600 + om * 60) * (b[i] == UInt8(ascii: "-") ? -1 : 1)
            i += 6
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        let days = CELTimestamp.days(fromCivil: year, month, day)
        let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset
        self.init(seconds: secs, nanos: nanos)
    }

    /// Parses `YYYY-MM-DDTHH:MM:SSZ` (separators already checked), nil when a field is out of range.
    private init?(usualForm b: UnsafeBufferPointer<UInt8>) {
        @inline(__always) func digit(_ i: Int) -> Int64? {
            let d = b[i] &- 48
            return d <= 9 ? Int64(d) : nil
        }
        guard let y0 = digit(0), let y1 = digit(1), let y2 = digit(2), let y3 = digit(3), let m0 = digit(5), let m1 = digit(6),
              let d0 = digit(8), let d1 = digit(9), let h0 = digit(11), let h1 = digit(12), let n0 = digit(14), let n1 = digit(15),
              let s0 = digit(17), let s1 = digit(18) else { return nil }
        let year = y0 * 1000 + y1 * 100 + y2 * 10 + y3, month = m0 * 10 + m1, day = d0 * 10 + d1
        let hour = h0 * 10 + h1, minute = n0 * 10 + n1, second = s0 * 10 + s1
        guard year >= 1, month >= 1, month <= 12, day >= 1, hour < 24, minute < 60, second < 60 else { return nil }
        let leap = (year & 3 == 0 && year % 100 != 0) || year % 400 == 0
        let monthDays = CELTimestamp.daysBefore(month: month + 1) - CELTimestamp.daysBefore(month: month) + (leap && month == 2 ? 1 : 0)
        guard day <= monthDays else { return nil }
        // Days since 1970-01-01: whole years (with their leap days), then the months before this one.
        let y = year - 1
        let days = 365 * (year - 1970) + (y / 4 - y / 100 + y / 400) - 477
            + CELTimestamp.daysBefore(month: month) + (leap && month > 2 ? 1 : 0) + day - 1
        self.init(checkedSeconds: days * 86_400 + hour * 3600 + minute * 60 + second, nanos: 0)
    }

    /// Days in a common year before the first of `month` (1-13).
    @inline(__always)
    private static func daysBefore(month: Int64) -> Int64 {
        switch month {
        case 1: 0
        case 2: 31
        case 3: 59
        case 4: 90
        case 5: 120
        case 6: 151
        case 7: 181
        case 8: 212
        case 9: 243
        case 10: 273
        case 11: 304
        case 12: 334
        default: 365
        }
    }

    static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = floorDiv(y, 400)
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The civil date (year, month 1-12, day 1-31) of `z0` days since 1970-01-01 (H. Hinnant's algorithm).
    package static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = floorDiv(z, 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}

func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}

private func pad(_ v: Int64, _ width: Int) -> String {
    let s = String(v)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}
