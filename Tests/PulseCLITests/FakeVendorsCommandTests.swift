import Foundation
import Testing

/// Issue 24, item 13: `pulse-fake-vendors` has `--help`, refuses unknown arguments, and on a busy
/// port says so and exits non-zero (it used to wait for ever, deaf to SIGTERM).
@Suite struct FakeVendorsCommandTests {
    static var binary: URL {
        get throws {
            let candidates = [
                Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("pulse-fake-vendors"),
                CLI.packageRoot.appendingPathComponent(".build/debug/pulse-fake-vendors"),
            ]
            for url in candidates where FileManager.default.isExecutableFile(atPath: url.path) { return url }
            throw CLI.CLIError(message: "no pulse-fake-vendors binary at \(candidates.map(\.path)); run `swift build` first")
        }
    }

    /// A started process whose output goes to files, and an event when it exits.
    final class Running: @unchecked Sendable {  // the process and files are set before the handler runs, then only read
        let process = Process()
        let out: URL, err: URL
        let exits: AsyncStream<Int32>
        private let exited: AsyncStream<Int32>.Continuation

        init(_ arguments: [String]) throws {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pulse-fake-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            out = dir.appendingPathComponent("out.txt")
            err = dir.appendingPathComponent("err.txt")
            _ = FileManager.default.createFile(atPath: out.path, contents: nil)
            _ = FileManager.default.createFile(atPath: err.path, contents: nil)
            (exits, exited) = AsyncStream<Int32>.makeStream()
            process.executableURL = try FakeVendorsCommandTests.binary
            process.arguments = arguments
            process.standardOutput = try FileHandle(forWritingTo: out)
            process.standardError = try FileHandle(forWritingTo: err)
            let exited = self.exited
            process.terminationHandler = { p in exited.yield(p.terminationStatus); exited.finish() }
            try process.run()
        }

        var stdout: String { (try? String(contentsOf: out, encoding: .utf8)) ?? "" }
        var stderr: String { (try? String(contentsOf: err, encoding: .utf8)) ?? "" }

        /// The exit status, or nil (and the process killed) when it has not exited within `seconds`.
        func exitStatus(within seconds: Double) async -> Int32? {
            let status = await withTaskGroup(of: Int32?.self) { group in
                group.addTask { for await s in self.exits { return s }; return nil }
                group.addTask { try? await Task.sleep(for: .milliseconds(Int(seconds * 1000))); return nil }
                let first = await group.next() ?? nil
                group.cancelAll()
                return first
            }
            if status == nil, process.isRunning { kill(process.processIdentifier, SIGKILL) }
            return status
        }
    }

    @Test func helpSaysHowToUseIt() async throws {
        let run = try Running(["--help"])
        #expect(await run.exitStatus(within: 30) == 0)
        #expect(run.stdout.hasPrefix("usage: pulse-fake-vendors"), "\(run.stdout)")
        #expect(run.stdout.contains("--listings N") && run.stdout.contains("--receiver") && run.stdout.contains("pulse pull"))
        let bad = try Running(["--listings", "many"])
        #expect(await bad.exitStatus(within: 30) == 2)
        #expect(bad.stderr.contains("--listings needs a whole number"), "\(bad.stderr)")
    }

    @Test func aBusyPortIsAClearErrorAndSIGTERMStopsIt() async throws {
        let first = try Running(["--listings", "3"])
        // Bounded polling on a condition: the first line once it listens.
        var line = ""
        for _ in 0..<600 where line.isEmpty {
            line = first.stdout.split(separator: "\n").first.map(String.init) ?? ""
            if line.isEmpty { try await Task.sleep(for: .milliseconds(50)) }
        }
        let port = try #require(line.split(separator: " ").first?.split(separator: ":").last.map(String.init), "\(line) \(first.stderr)")
        #expect(first.stderr.contains("sources:") && first.stderr.contains("api_base: http://127.0.0.1:\(port)"), "\(first.stderr)")
        for arguments in [["--port", port, "--listings", "3"], ["--receiver", "--port", port]] {
            let second = try Running(arguments)
            #expect(await second.exitStatus(within: 30) == 1, "a busy port ends the run (\(arguments))")
            #expect(second.stderr.contains("cannot listen on 127.0.0.1:\(port): something else already listens there"), "\(second.stderr)")
            #expect(second.stdout.isEmpty)
        }
        kill(first.process.processIdentifier, SIGTERM)
        #expect(await first.exitStatus(within: 30) == 0, "SIGTERM stops it")
    }
}
