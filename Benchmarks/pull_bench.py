#!/usr/bin/env python3
"""The pull benchmark: `pulse pull` against the loopback fake of BigCommerce and AliExpress.

Starts `pulse-fake-vendors` on 127.0.0.1 with a generated store (default 100,000 listings of 2
SKUs: 200,000 SKUs on 50,000 BigCommerce products), pulls once, changes 1% of the listings, pulls
again, and prints each pull's calls by API call (from snapshot.json) and wall time, next to the
bounds of the issue: at most ceil(products/250) BigCommerce calls plus the list pages plus one
detail call per listing; a second pull with ~1% of the detail calls.

    swift build -c release --product pulse --product pulse-fake-vendors
    python3 Benchmarks/pull_bench.py [--listings 100000] [--bin .build/release]
"""
import argparse, json, math, os, resource, shutil, subprocess, sys, tempfile, time, urllib.request

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--listings", type=int, default=100_000)
    ap.add_argument("--skus-per-listing", type=int, default=2)
    ap.add_argument("--variants-per-product", type=int, default=4)
    ap.add_argument("--bin", default=".build/release")
    args = ap.parse_args()
    fake = subprocess.Popen([os.path.join(args.bin, "pulse-fake-vendors"), "--listings", str(args.listings),
                             "--skus-per-listing", str(args.skus_per_listing), "--variants-per-product", str(args.variants_per_product)],
                            stdout=subprocess.PIPE, text=True)
    try:
        line = fake.stdout.readline().split()
        base, info = line[0], dict(kv.split("=", 1) for kv in line[1:])
        assert base.startswith("http://127.0.0.1:"), base
        work = tempfile.mkdtemp(prefix="pulse-pull-bench-")
        os.makedirs(f"{work}/profiles")
        with open(f"{work}/profiles/bench.yaml", "w") as f:
            f.write(f"""profile: bench
priority_markets: [US, GB, DE, FR, BR]
sources:
  bigcommerce:
    store_hash: {info['store_hash']}
    access_token: ${{BENCH_BC_TOKEN}}
    api_base: {base}
  aliexpress:
    app_key: "{info['app_key']}"
    app_secret: ${{BENCH_AE_SECRET}}
    session: ${{BENCH_AE_SESSION}}
    gateway: {base}
""")
        env = dict(os.environ, BENCH_BC_TOKEN=info["token"], BENCH_AE_SECRET=info["app_secret"], BENCH_AE_SESSION=info["session"])
        pulse = os.path.abspath(os.path.join(args.bin, "pulse"))
        results = []
        for n, now in enumerate(["2026-03-16T08:00:00Z", "2026-03-17T08:00:00Z"]):
            if n == 1:
                changed = json.load(urllib.request.urlopen(urllib.request.Request(f"{base}/_fake/touch?percent=1", method="POST")))["changed"]
            out = f"{work}/snapshots/bench/{n}"
            start = time.monotonic()
            proc = subprocess.run(["/usr/bin/time", "-f", "%M", pulse, "pull", "--profile", "bench", "--out", out, "--now", now],
                                  cwd=work, env=env, capture_output=True, text=True)
            wall = time.monotonic() - start
            if proc.returncode != 0:
                sys.exit(f"pull failed: {proc.stderr}")
            peak_mb = int(proc.stderr.strip().splitlines()[-1]) / 1024
            pulled = json.load(open(f"{out}/snapshot.json"))["pulled"]
            results.append((wall, peak_mb, pulled))
        products, listings = int(info["products"]), int(info["listings"])
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
        shutil.rmtree(work)
    finally:
        fake.kill()

if __name__ == "__main__":
    main()
