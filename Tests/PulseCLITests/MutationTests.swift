import Foundation
import PulseCLI
import PulseConfig
import PulseDiagnostics
import PulseEngine
import Testing

/// A small deterministic generator, so that a failing mutation can be reproduced from its seed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random damage to a YAML file of the kinds people and editors do.
enum Mutator {
    static func mutate(_ text: String, using rng: inout SplitMix64) -> String {
        var lines = text.components(separatedBy: "\n")
        var scalars = Array(text.unicodeScalars)
        switch Int.random(in: 0..<7, using: &rng) {
        case 0 where lines.count > 1:  // delete a line
            lines.remove(at: Int.random(in: 0..<lines.count, using: &rng))
            return lines.joined(separator: "\n")
        case 1 where lines.count > 1:  // duplicate a line (often a duplicate key)
            let i = Int.random(in: 0..<lines.count, using: &rng)
            lines.insert(lines[i], at: i)
            return lines.joined(separator: "\n")
        case 2 where scalars.count > 2:  // swap two neighbouring characters
            let i = Int.random(in: 0..<(scalars.count - 1), using: &rng)
            scalars.swapAt(i, i + 1)
        case 3 where !scalars.isEmpty:  // insert a character that YAML treats specially
            let specials: [Unicode.Scalar] = [":", "-", "[", "]", "{", "}", "\t", "\"", "'", "&", "*", "!", "|", ">", "#", "é", "\u{0}"]
            scalars.insert(specials[Int.random(in: 0..<specials.count, using: &rng)], at: Int.random(in: 0..<scalars.count, using: &rng))
        case 4 where !scalars.isEmpty:  // truncate
            scalars = Array(scalars.prefix(Int.random(in: 0..<scalars.count, using: &rng)))
        case 5 where lines.count > 1:  // re-indent a line
            let i = Int.random(in: 0..<lines.count, using: &rng)
            lines[i] = (Bool.random(using: &rng) ? "  " : "") + lines[i].drop { $0 == " " && Bool.random(using: &rng) }
            return lines.joined(separator: "\n")
        default:  // delete a character
            if !scalars.isEmpty { scalars.remove(at: Int.random(in: 0..<scalars.count, using: &rng)) }
        }
        var out = ""
        out.unicodeScalars.append(contentsOf: scalars)
        return out
    }
}

@Suite struct MutationTests {
    @Test func mutatedShippedConfigNeverCrashesValidate() throws {
        let shipped = try CLI.shippedConfig()
        #expect(shipped.count == 7)
        let paths = shipped.keys.sorted()
        var rng = SplitMix64(state: 20_261_123)
        var errorsSeen = 0
        let iterations = Int(ProcessInfo.processInfo.environment["PULSE_FUZZ_ITERATIONS"] ?? "") ?? 600
        for _ in 0..<iterations {
            var files = shipped
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                let path = paths[Int.random(in: 0..<paths.count, using: &rng)]
                files[path] = Mutator.mutate(files[path] ?? "", using: &rng)
            }
            var set = ConfigSet()
            for path in paths { set.add(file: path, bytes: Array((files[path] ?? "").utf8)) }
            // As `pulse validate` lints: with every card's expressions compiled and checked.
            let diagnostics = Workspace(set: set).diagnostics
            if diagnostics.hasErrors { errorsSeen += 1 }
            // Every finding points inside a file that was checked, at a real position.
            for d in diagnostics {
                #expect(files[d.location.file] != nil)
                #expect(d.location.line >= 1 && d.location.column >= 1)
            }
            _ = DiagnosticRenderer(sources: set.sources).render(diagnostics, format: .text, files: set.fileCount)
        }
        #expect(errorsSeen > 100)
    }

    @Test func mutatedFilesThroughTheBinaryExitZeroOrOne() throws {
        let shipped = try CLI.shippedConfig()
        let paths = shipped.keys.sorted()
        var rng = SplitMix64(state: 7)
        for _ in 0..<25 {
            var files = shipped
            let path = paths[Int.random(in: 0..<paths.count, using: &rng)]
            files[path] = Mutator.mutate(files[path] ?? "", using: &rng)
            let dir = try CLI.scratch(files)
            let result = try CLI.run(["validate"], in: dir)
            #expect(result.status == 0 || result.status == 1, "exit \(result.status) for a mutation of \(path): \(result.stderr)")
            try? FileManager.default.removeItem(at: dir)
        }
    }
}
