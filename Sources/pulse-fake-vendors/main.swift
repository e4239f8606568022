import PulseFakeVendors

// The loopback fake of BigCommerce and AliExpress with a generated store, for Benchmarks/pull_bench.py.
try await FakeVendorsCommand.run(Array(CommandLine.arguments.dropFirst()))
