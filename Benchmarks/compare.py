#!/usr/bin/env python3
"""Reproduces the figures in BENCHMARKS.md: for each size, generates a snapshot (pulse generate,
seed 1) if missing, times `pulse eval` end to end (JSON output, all five seed cards, the bench
profile) and the DuckDB peer (../shared/bench/duckdb_peer.py) N times each, reports the median
wall time and peak memory, checks that both give the same numbers, and runs `pulse bench` for the
per-phase figures.

With --shuffled-stock, each size is also run with its stock.jsonl in a random order (seed 1):
real stock exports do not follow the listings' order, and the SKU-to-stock join then cannot
take the next stock row; the other files are linked, not copied.

With --coverage P, each size is also run on a store generated with `pulse generate --coverage P`:
most listings miss a priority market, so the coverage card's worklist is long (two thirds of the
listings at P = 33) and ship_to takes thousands of distinct values.

Usage: python3 Benchmarks/compare.py [--sizes 10000,100000,1000000] [--runs 3] [--dir /tmp/pulse-bench] [--shuffled-stock] [--coverage 33]
Needs: a release build (swift build -c release) and `pip install duckdb`."""
import argparse, json, os, random, statistics, subprocess, sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
pulse = os.path.join(root, ".build", "release", "pulse")
shared = os.path.join(root, "..", "shared", "bench")
profile = os.path.join(shared, "profile.yaml")

def timed(cmd, out=None):
    """Runs cmd under /usr/bin/time; returns (seconds, peak MB, stdout)."""
    res = subprocess.run(["/usr/bin/time", "-f", "%e %M"] + cmd, capture_output=True, text=True, cwd=root)
    if res.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{res.stderr}")
    seconds, kb = res.stderr.strip().splitlines()[-1].split()
    return float(seconds), int(kb) / 1024, res.stdout

def shuffled(snap):
    """A copy of snapshot `snap` whose stock.jsonl lines are in a random (seeded) order."""
    out = snap.rstrip("/") + "-shuffled-stock"
    if not os.path.exists(os.path.join(out, "stock.jsonl")):
        os.makedirs(out, exist_ok=True)
        for name in os.listdir(snap):
            if name != "stock.jsonl" and not os.path.exists(os.path.join(out, name)):
                os.symlink(os.path.join(os.path.abspath(snap), name), os.path.join(out, name))
        with open(os.path.join(snap, "stock.jsonl")) as f:
            lines = f.readlines()
        random.Random(1).shuffle(lines)
        with open(os.path.join(out, "stock.jsonl"), "w") as f:
            f.writelines(lines)
    return out

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--dir", default="/tmp/pulse-bench")
    ap.add_argument("--shuffled-stock", action="store_true")
    ap.add_argument("--coverage", type=int, default=None,
                    help="also run each size generated with --coverage PERCENT (a store whose listings mostly miss a market)")
    args = ap.parse_args()
    rows = []
    cases = []
    for n in [int(s) for s in args.sizes.split(",")]:
        snap = os.path.join(args.dir, f"{n}")
        if not os.path.exists(os.path.join(snap, "snapshot.json")):
            subprocess.run([pulse, "generate", "--listings", str(n), "--seed", "1", "--out", snap], check=True, cwd=root)
        cases.append((f"{n:,}", snap))
        if args.coverage is not None:
            other = os.path.join(args.dir, f"{n}-coverage{args.coverage}")
            if not os.path.exists(os.path.join(other, "snapshot.json")):
                subprocess.run([pulse, "generate", "--listings", str(n), "--seed", "1", "--coverage", str(args.coverage), "--out", other],
                               check=True, cwd=root)
            cases.append((f"{n:,} (coverage {args.coverage}%)", other))
        if args.shuffled_stock:
            cases.append((f"{n:,} (stock shuffled)", shuffled(snap)))
    for label, snap in cases:
        p = [timed([pulse, "eval", "--profile", profile, "--snapshot", snap, "--format", "json"]) for _ in range(args.runs)]
        d = [timed([sys.executable, os.path.join(shared, "duckdb_peer.py"), snap]) for _ in range(args.runs)]
        ours = {c["key"]: c for c in json.loads(p[0][2])["cards"]}
        theirs = json.loads(d[0][2])
        same = (ours["aex_xc_listed_but_oos_on_bc"]["value"] == theirs["aex_xc_listed_but_oos_on_bc"]
                and ours["aex_total_listings"]["breakdown"] == theirs["aex_total_listings"]
                and ours["aex_rejected_listings_24h"]["breakdown"] == theirs["aex_rejected_listings_24h"]
                and ours["aex_rejected_auditing_listings"]["value"] == theirs["aex_rejected_auditing_listings"]
                and abs(ours["aex_ship_to_country_coverage"]["value"] - theirs["aex_ship_to_country_coverage"]) < 1e-9)
        bench = subprocess.run([pulse, "bench", "--snapshot", snap, "--profile", profile, "--runs", str(args.runs)],
                               capture_output=True, text=True, cwd=root).stdout
        rows.append((label, statistics.median(x[0] for x in p), statistics.median(x[1] for x in p),
                     statistics.median(x[0] for x in d), statistics.median(x[1] for x in d), same, bench))
    print("| listings | pulse eval (s) | pulse peak (MB) | DuckDB (s) | DuckDB peak (MB) | same numbers |")
    print("|---:|---:|---:|---:|---:|:---:|")
    for n, pt, pm, dt, dm, same, _ in rows:
        print(f"| {n} | {pt:.2f} | {pm:.0f} | {dt:.2f} | {dm:.0f} | {'yes' if same else 'NO'} |")
    for n, *_, bench in rows:
        print(f"\n`pulse bench` at {n} listings:\n```\n{bench.strip()}\n```")

if __name__ == "__main__":
    main()
