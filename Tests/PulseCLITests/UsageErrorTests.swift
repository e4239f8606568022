import Foundation
import Testing

/// Issue 25, item 5: values and option rules are checked by ArgumentParser (transforms, enums,
/// `validate()`), and the root reports what it refuses in Pulse's form: `pulse <command>: ...`,
/// exit 2, and under `--format json` the `{"error": ...}` object too.
@Suite struct UsageErrorTests {
    @Test(arguments: [
        (["eval", "--profile", "demo", "--snapshot", "examples/demo", "--now", "yesterday"],
         "pulse eval: --now yesterday is not an RFC 3339 timestamp (e.g. 2026-03-17T08:00:00Z)\n"),
        (["expr", "1", "--now", "soon"], "pulse expr: --now soon is not an RFC 3339 timestamp (e.g. 2026-03-17T08:00:00Z)\n"),
        (["pull", "--profile", "demo", "--now", "soon"], "pulse pull: --now soon is not an RFC 3339 timestamp (e.g. 2026-03-17T08:00:00Z)\n"),
        (["ack", "c", "--profile", "demo", "--now", "soon"], "pulse ack: --now soon is not an RFC 3339 timestamp (e.g. 2026-03-17T08:00:00Z)\n"),
        (["explain", "c", "--profile", "demo", "--snapshot", "examples/demo", "--sku", "X"], "pulse explain: --sku needs --row\n"),
        (["eval", "--profile", "demo", "--snapshot", "examples/demo", "--notify"], "pulse eval: --notify sends the notifications --record queues; add --record\n"),
        (["eval", "--profile", "demo", "--snapshot", "examples/demo", "--record", "--notify-webhook", "ftp://user:secret@example.com/?k=v"],
         "pulse eval: --notify-webhook ftp://example.com/ is not an http(s) URL\n"),
        (["serve", "--pull-every", "10s"], "pulse serve: --pull-every 10s is not a duration of a minute or more (15m, 1h, 1d)\n"),
        (["serve", "--max-connections", "0"], "pulse serve: --max-connections 0 is not a number of connections, 1 or more\n"),
        (["bench", "notify", "--url", "http://example.com/"], "pulse bench notify: --url http://example.com/ is not an http URL on 127.0.0.1, ::1 or localhost (loopback only)\n"),
        (["pull", "--profile", "demo", "--only", "amazon"], "pulse pull: The value 'amazon' is invalid for '--only <only>'. Please provide one of 'bigcommerce' and 'aliexpress'.\n"),
        (["eval", "--profile", "demo"], "pulse eval: Missing expected argument '--snapshot <snapshot>'\n"),
    ])
    func refusedInPulsesForm(_ arguments: [String], _ firstLine: String) throws {
        let result = try CLI.run(arguments, in: CLI.packageRoot, fresh: false)
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix(firstLine), "\(result.stderr)")
        #expect(result.stderr.contains("See '\(firstLine.prefix { $0 != ":" }) --help' for more information."), "\(result.stderr)")
        #expect(!result.stderr.contains("secret"))
        #expect(result.stdout.isEmpty)
    }

    @Test func underFormatJSONTheRefusalIsJSONToo() throws {
        let result = try CLI.run(["eval", "--profile", "demo", "--snapshot", "examples/demo", "--format", "json", "--max-rows=-1"], in: CLI.packageRoot)
        #expect(result.status == 2)
        #expect(result.stdout == "{\"error\": {\"message\": \"pulse eval: --max-rows must be 0 or more\", \"exit_status\": 2, \"diagnostics\": []}}\n")
        let list = try CLI.run(["silence", "list", "--profile", "demo", "--format=json", "--now", "x"], in: CLI.packageRoot)
        #expect(list.status == 2)
        #expect(list.stdout.hasPrefix("{\"error\": {\"message\": \"pulse silence list: --now x is not an RFC 3339 timestamp"))
        // expr's json is its value's form, not a failure report: its refusals stay text.
        let expr = try CLI.run(["expr", "1", "--format", "json", "--now", "x"], in: CLI.packageRoot)
        #expect(expr.status == 2 && expr.stdout.isEmpty)
    }
}
