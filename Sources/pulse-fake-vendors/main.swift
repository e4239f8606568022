import Foundation
import PulseFakeVendors

// The loopback fake of BigCommerce and AliExpress with a generated store (Benchmarks/pull_bench.py,
// and trying `pulse pull` without credentials; `--help`), or the notification receiver.
exit(await FakeVendorsCommand.main(Array(CommandLine.arguments.dropFirst())))
