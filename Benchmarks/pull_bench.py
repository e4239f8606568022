#!/usr/bin/env python3
"""The pull benchmark: `pulse pull` against the loopback fake of BigCommerce and AliExpress.

Default: starts `pulse-fake-vendors` on 127.0.0.1 with a generated store (100,000 listings of 2
SKUs: 200,000 SKUs on 50,000 BigCommerce products), rate limits off; pulls once, changes 1% of
the listings, pulls again, and prints each pull's calls by API call (from snapshot.json) and wall
time, next to the bounds: at most ceil(products/250) BigCommerce calls plus the list pages plus one
detail call per listing; a second pull with ~1% of the detail calls.

--under-quota: a full pull of each vendor under its real quota, the fake enforcing it
(BigCommerce's window, `--bigcommerce-quota 150/30`: the Standard and Plus plans; AliExpress's
per-seller limit, `--aliexpress-quota 20/1`), one vendor per pull (a profile with that source
alone), and prints the wall time against the floor (calls needed / calls the quota allows per
second) and the calls made per call needed (a refused call is made again).

    swift build -c release --product pulse
    swift build -c release --product pulse-fake-vendors
    python3 Benchmarks/pull_bench.py [--listings 100000] [--bin .build/release]
    python3 Benchmarks/pull_bench.py --under-quota [--bigcommerce-quota 150/30] [--aliexpress-quota 20/1]
"""
import argparse, json, math, os, shutil, subprocess, sys, tempfile, time, urllib.request


class Fake:
    """pulse-fake-vendors with a generated store, and a scratch folder with a profile pulling from it."""

    def __init__(self, bin_dir, listings, skus, variants, quotas=(), sources=("bigcommerce", "aliexpress")):
        self.proc = subprocess.Popen([os.path.join(bin_dir, "pulse-fake-vendors"), "--listings", str(listings),
                                      "--skus-per-listing", str(skus), "--variants-per-product", str(variants), *quotas],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline().split()
        if not line:
            sys.exit("pulse-fake-vendors did not start")
        self.base, self.info = line[0], dict(kv.split("=", 1) for kv in line[1:])
        assert self.base.startswith("http://127.0.0.1:"), self.base
        self.work = tempfile.mkdtemp(prefix="pulse-pull-bench-")
        os.makedirs(f"{self.work}/profiles")
        blocks = {
            "bigcommerce": f"""  bigcommerce:
    store_hash: {self.info['store_hash']}
    access_token: ${{BENCH_BC_TOKEN}}
    api_base: {self.base}
""",
            "aliexpress": f"""  aliexpress:
    app_key: "{self.info['app_key']}"
    app_secret: ${{BENCH_AE_SECRET}}
    session: ${{BENCH_AE_SESSION}}
    gateway: {self.base}
""",
        }
        with open(f"{self.work}/profiles/bench.yaml", "w") as f:
            f.write("profile: bench\npriority_markets: [US, GB, DE, FR, BR]\nsources:\n" + "".join(blocks[s] for s in sources))
        self.env = dict(os.environ, BENCH_BC_TOKEN=self.info["token"], BENCH_AE_SECRET=self.info["app_secret"],
                        BENCH_AE_SESSION=self.info["session"])
        self.pulse = os.path.abspath(os.path.join(bin_dir, "pulse"))

    def pull(self, name, now):
        """One `pulse pull`: (wall seconds, peak MB, snapshot.json's `pulled`)."""
        out = f"{self.work}/snapshots/bench/{name}"
        start = time.monotonic()
        proc = subprocess.run(["/usr/bin/time", "-f", "%M", self.pulse, "pull", "--quiet", "--profile", "bench", "--out", out, "--now", now],
                              cwd=self.work, env=self.env, capture_output=True, text=True)
        wall = time.monotonic() - start
        if proc.returncode != 0:
            sys.exit(f"pull failed: {proc.stderr}")
        peak_mb = int(proc.stderr.strip().splitlines()[-1]) / 1024
        return wall, peak_mb, json.load(open(f"{out}/snapshot.json"))["pulled"]

    def calls(self):
        """Every call the fake received, by name, and `_refused` by vendor."""
        return json.load(urllib.request.urlopen(f"{self.base}/_fake/calls"))

    def touch(self, percent):
        request = urllib.request.Request(f"{self.base}/_fake/touch?percent={percent}", method="POST")
        return json.load(urllib.request.urlopen(request))["changed"]

    def close(self):
        self.proc.kill()
        self.proc.wait()
        shutil.rmtree(self.work, ignore_errors=True)


def calls_bench(args):
    fake = Fake(args.bin, args.listings, args.skus_per_listing, args.variants_per_product)
    try:
        results, changed = [], 0
        for n, now in enumerate(["2026-03-16T08:00:00Z", "2026-03-17T08:00:00Z"]):
            if n == 1:
                changed = fake.touch(1)
            results.append(fake.pull(str(n), now))
        products, listings = int(fake.info["products"]), int(fake.info["listings"])
        bc_bound = math.ceil(products / 250)
        print(f"store: {listings:,} listings, {listings * args.skus_per_listing:,} SKUs on {products:,} BigCommerce products")
        for n, (wall, peak, pulled) in enumerate(results):
            bc, ae = pulled["bigcommerce"], pulled["aliexpress"]
            calls = {**bc["calls_by_name"], **ae["calls_by_name"]}
            lists = calls.get("aliexpress.solution.product.list.get", 0)
            details = calls.get("aliexpress.solution.product.info.get", 0)
            label = "first pull" if n == 0 else f"second pull ({changed:,} listings changed)"
            print(f"\n{label}: {wall:.2f} s wall, {peak:.0f} MB peak; {bc['calls'] + ae['calls']:,} calls")
            for name, count in sorted(calls.items()):
                print(f"  {count:>8,}  {name}")
            print(f"  bigcommerce calls {bc['calls']:,} (bound ceil({products:,}/250) = {bc_bound:,}); "
                  f"detail calls {details:,} ({100 * details / listings:.1f}% of listings); list pages {lists:,}")
            print(f"  rows: " + ", ".join(f"{v:,} {k}" for k, v in sorted({**bc['rows'], **ae['rows']}.items())))
    finally:
        fake.close()


def quota_bench(args):
    """A full pull of each vendor, alone, under its enforced quota: wall against the floor."""
    runs = [
        ("bigcommerce", args.bigcommerce_quota, dict(listings=args.quota_bc_listings, skus=2, variants=1)),
        ("aliexpress", args.aliexpress_quota, dict(listings=args.quota_ae_listings, skus=2, variants=4)),
    ]
    rows = []
    for vendor, quota, store in runs:
        per, seconds = quota.split("/")
        rate = int(per) / float(seconds)
        fake = Fake(args.bin, store["listings"], store["skus"], store["variants"],
                    quotas=(f"--{vendor}-quota", quota), sources=(vendor,))
        try:
            wall, peak, pulled = fake.pull("0", "2026-03-16T08:00:00Z")
            received = fake.calls()
            refused = received.pop("_refused")[vendor]
            made = sum(received.values())
            needed = made - refused
            floor = needed / rate
            stats = pulled[vendor]
            print(f"{vendor} under {quota} ({rate:g} calls/s): store {int(fake.info['products']):,} products, "
                  f"{int(fake.info['listings']):,} listings; rows " + ", ".join(f"{v:,} {k}" for k, v in sorted(stats['rows'].items())))
            print(f"  calls needed {needed:,}, made {made:,} ({made / needed:.3f} per call needed, {refused:,} refused), "
                  f"retries {stats.get('retries', 0):,}")
            print(f"  wall {wall:.1f} s, floor {floor:.1f} s ({needed:,} / {rate:g} per s): {wall / floor:.2f}x the floor; peak {peak:.0f} MB")
            rows.append((vendor, quota, needed, made, refused, wall, floor, peak))
        finally:
            fake.close()
    print("\n| vendor | quota | calls needed | calls made | made per needed | wall | floor | wall / floor |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for vendor, quota, needed, made, refused, wall, floor, peak in rows:
        print(f"| {vendor} | {quota} | {needed:,} | {made:,} | {made / needed:.3f} | {wall:.1f} s | {floor:.1f} s | {wall / floor:.2f} |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--listings", type=int, default=100_000)
    ap.add_argument("--skus-per-listing", type=int, default=2)
    ap.add_argument("--variants-per-product", type=int, default=4)
    ap.add_argument("--bin", default=".build/release")
    ap.add_argument("--under-quota", action="store_true", help="a full pull of each vendor under its enforced quota")
    ap.add_argument("--bigcommerce-quota", default="150/30")
    ap.add_argument("--aliexpress-quota", default="20/1")
    ap.add_argument("--quota-bc-listings", type=int, default=25_000, help="listings of 2 SKUs, one variant a product: 50,000 products, 200 pages")
    ap.add_argument("--quota-ae-listings", type=int, default=2_000)
    args = ap.parse_args()
    quota_bench(args) if args.under_quota else calls_bench(args)


if __name__ == "__main__":
    main()
