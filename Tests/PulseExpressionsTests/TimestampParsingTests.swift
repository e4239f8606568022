import PulseExpressions
import Testing

/// The quick path for `YYYY-MM-DDTHH:MM:SSZ` must agree with the calendar everywhere.
@Suite struct TimestampParsingTests {
    @Test func everyDayRoundTrips() throws {
        // Every day of a few centuries (leap rules of 1900, 2000, 2100 included), plus the ends of the range.
        var seconds: Int64 = -2_208_988_800  // 1900-01-01
        while seconds < 4_102_444_800 + 86_400 * 400 {
            let t = try #require(CELTimestamp(seconds: seconds + 3_723))
            #expect(CELTimestamp(parsing: t.description) == t, "\(t)")
            seconds += 86_400
        }
        for text in ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2000-02-29T12:00:00Z", "2024-02-29T23:59:59Z"] {
            #expect(CELTimestamp(parsing: text)?.description == text)
        }
    }

    @Test(arguments: ["2023-02-29T00:00:00Z", "2100-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-13-01T00:00:00Z",
                      "2026-00-10T00:00:00Z", "2026-01-00T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T00:60:00Z",
                      "2026-01-01T00:00:60Z", "0000-01-01T00:00:00Z", "2026-01-0aT00:00:00Z", "2026-01-01T0:000:00Z"])
    func impossibleDatesAreRefused(_ text: String) {
        #expect(CELTimestamp(parsing: text) == nil)
    }
}
