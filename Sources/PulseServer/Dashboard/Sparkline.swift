/// A card's recorded values as a small inline SVG line: numbers only (no text from data), gaps
/// where a value was missing, described for screen readers by its `<title>`.
enum Sparkline {
    static let width = 160.0
    static let height = 32.0

    /// The SVG, or an empty string when nothing is recorded.
    static func svg(_ values: [Double?], latest: String) -> String {
        let finite = values.compactMap { $0 }.filter(\.isFinite)
        guard let low = finite.min(), let high = finite.max() else { return "" }
        let count = values.count
        if finite.count == 1, let last = values.last ?? nil, last.isFinite {
            // One recorded value: a dot with the value beside it, not a stray mark at the edge.
            return "<svg class=\"sparkline single\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"\(Int(width))\" height=\"\(Int(height))\" role=\"img\" "
                + "aria-label=\"History: one recorded value, \(escape(latest))\"><title>History: one recorded value, \(escape(latest))</title>"
                + "<circle cx=\"6\" cy=\"\(Int(height / 2))\" r=\"4\"/><text x=\"16\" y=\"\(Int(height / 2) + 5)\">\(escape(latest))</text></svg>"
        }
        let step = values.count > 1 ? width / Double(values.count - 1) : 0
        var segments: [[String]] = [[]]
        for (i, v) in values.enumerated() {
            guard let v, v.isFinite else {
                if !(segments.last?.isEmpty ?? true) { segments.append([]) }
                continue
            }
            let y = high == low ? height / 2 : height - 2 - (v - low) / (high - low) * (height - 4)
            segments[segments.count - 1].append(coordinate(Double(i) * step) + "," + coordinate(y))
        }
        let lines = segments.filter { !$0.isEmpty }.map { points in
            points.count == 1 ? "<circle cx=\"\(points[0].split(separator: ",")[0])\" cy=\"\(points[0].split(separator: ",")[1])\" r=\"2\"/>"
                : "<polyline points=\"\(points.joined(separator: " "))\"/>"
        }.joined()
        return "<svg class=\"sparkline\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"\(Int(width))\" height=\"\(Int(height))\" role=\"img\" "
            + "aria-label=\"History: \(count) recorded value\(count == 1 ? "" : "s"), latest \(escape(latest))\"><title>History: \(count) recorded "
            + "value\(count == 1 ? "" : "s"), latest \(escape(latest))</title>\(lines)</svg>"
    }

    private static func coordinate(_ d: Double) -> String {
        let tenths = (d * 10).rounded()
        return tenths.truncatingRemainder(dividingBy: 10) == 0 ? String(Int(tenths / 10)) : String(tenths / 10)
    }

    private static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }
}
