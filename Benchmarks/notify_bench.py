#!/usr/bin/env python3
"""The notification benchmark: delivery from the outbox, and a snapshot's way to Slack.

Everything runs on loopback against `pulse-fake-vendors --receiver` (the test suites' receiver,
`Sources/PulseFakeVendors/FakeReceiver.swift`: every POST answered 200 and counted, `GET
/_count?path=NAME` says how many arrived and when the last did). It builds nothing:

    swift build -c release --product pulse && swift build -c release --product pulse-fake-vendors
    python3 Benchmarks/notify_bench.py [--events 1000] [--runs 5] [--types slack,pagerduty,teams,webhook] [--serve-runs 5]

(a) The delivery rate: `pulse bench notify --events N --type T` (a fresh temporary history
    store each run, N firing events queued, then `Dispatcher.deliver` timed until all are sent),
    `--runs` processes per type, medians; once with each event its own message, once with all N
    in one evaluation (one message: Slack and Teams split it into several bodies, PagerDuty
    sends one event per card anyway).
(b) The latency of `pulse serve`: a fresh folder with the shipped cards/ and profiles/ and a
    profile `shop` (extends demo) whose slack channel points at the receiver; examples/demo as
    snapshots/shop/2026-03-17; `pulse serve` started, and once the receiver has the first
    message, examples/demo-next is copied to a dot-named folder and renamed to
    snapshots/shop/2026-03-18 (as `pulse pull` does). Measured: from the rename to the
    receiver's arrival time of the next message (polled every 5 ms), `--serve-runs` times.
"""
import argparse, json, os, re, shutil, statistics, subprocess, sys, tempfile, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SHOP = """# The notification benchmark's merchant: the demo, with a Slack channel (the loopback receiver).
profile: shop
extends: demo
# The demo's snapshots are from March; judged by the wall clock, 25h would make every card stale
# (and a stale card fires nothing).
stale_after: 36500d
notifications:
  channels:
    ops: {type: slack, url: "${SLACK_OPS_URL}"}
  routes:
    - to: [ops]
"""

def count(base, path):
    with urllib.request.urlopen(f"{base}/_count?path={path}", timeout=10) as r:
        doc = json.loads(r.read())
    return doc["count"], doc["last_arrival_unix"]

def delivery(args, base):
    """(a): one `pulse bench notify` process per run and type."""
    rows = []
    for kind in args.types.split(","):
        figures = {}
        for run in range(args.runs):
            out = subprocess.run([args.bin, "bench", "notify", "--events", str(args.events), "--type", kind,
                                  "--url", f"{base}/bench-{kind}", "--format", "json"], capture_output=True, text=True)
            if out.returncode != 0:
                sys.exit(f"pulse bench notify --type {kind} failed:\n{out.stderr}")
            doc = json.loads(out.stdout)
            for f in doc["figures"]:
                f["peak_rss_mb"] = doc["peak_rss_mb"]
                figures.setdefault(f["grouping"], []).append(f)
            print(f"  {kind} run {run + 1}: " + ", ".join(
                f"{f['grouping']} {f['deliver_seconds']:.3f} s ({f['messages']} messages, {f['requests_received']} received)"
                for f in doc["figures"]), flush=True)
        for grouping, runs in figures.items():
            med = lambda key: statistics.median(r[key] for r in runs)
            deliver = med("deliver_seconds")
            rows.append({
                "type": kind, "grouping": grouping, "events": runs[0]["events"], "messages": runs[0]["messages"],
                "received": sorted({r["requests_received"] for r in runs}, key=str), "queue": med("queue_seconds"),
                "deliver": deliver, "deliver_min": min(r["deliver_seconds"] for r in runs), "deliver_max": max(r["deliver_seconds"] for r in runs),
                "events_per_s": runs[0]["events"] / deliver, "messages_per_s": runs[0]["messages"] / deliver, "rss": med("peak_rss_mb"),
            })
    return rows

def serve_latency(args, base, run):
    """(b): one fresh folder and `pulse serve`; the seconds from the rename to the receiver's arrival."""
    work = tempfile.mkdtemp(prefix="pulse-notify-bench-")
    path = f"serve-{os.getpid()}-{run}"
    try:
        shutil.copytree(f"{ROOT}/cards", f"{work}/cards")
        shutil.copytree(f"{ROOT}/profiles", f"{work}/profiles")
        with open(f"{work}/profiles/shop.yaml", "w") as f:
            f.write(SHOP)
        os.makedirs(f"{work}/snapshots/shop")
        shutil.copytree(f"{ROOT}/examples/demo", f"{work}/snapshots/shop/2026-03-17")
        out = subprocess.run([args.bin, "token", "new", "--profile", "shop", "--role", "owner", "--name", "bench"],
                             check=True, capture_output=True, text=True).stdout
        with open(f"{work}/tokens.yaml", "w") as f:
            f.write("tokens:\n" + re.search(r"^  - .*$", out, re.M).group(0) + "\n")
        env = dict(os.environ, SLACK_OPS_URL=f"{base}/{path}")
        log = open(f"{work}/serve.log", "w+")
        server = subprocess.Popen([args.bin, "serve", "--cards", "cards", "--profiles", "profiles", "--snapshots", "snapshots",
                                   "--db", "history.sqlite", "--tokens", "tokens.yaml", "--listen", "127.0.0.1:0"],
                                  cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            started = time.time()
            while count(base, path)[0] < 1:
                if server.poll() is not None or time.time() - started > 60:
                    sys.exit("pulse serve sent no first message:\n" + open(f"{work}/serve.log").read())
                time.sleep(0.005)
            first = time.time() - started
            # Let the first delivery finish, then land the renames evenly over the 250 ms poll
            # period (run k of n at 0.5 s + 250 ms * (k + 0.5) / n after the first message).
            time.sleep(0.5 + 0.25 * (run + 0.5) / args.serve_runs)
            shutil.copytree(f"{ROOT}/examples/demo-next", f"{work}/snapshots/shop/.2026-03-18.tmp")
            arrived = time.time()
            os.rename(f"{work}/snapshots/shop/.2026-03-18.tmp", f"{work}/snapshots/shop/2026-03-18")
            while True:
                n, last = count(base, path)
                if n >= 2:
                    break
                if time.time() - arrived > 30:
                    sys.exit("no message for the second snapshot within 30 s:\n" + open(f"{work}/serve.log").read())
                time.sleep(0.005)
            latency = last - arrived
            time.sleep(0.3)
        finally:
            server.terminate()
            server.wait(timeout=30)
        text = open(f"{work}/serve.log").read()
        evaluation = [float(s) for s in re.findall(r"seconds=([\d.]+) snapshot=snapshots/shop/2026-03-18", text)]
        notified = re.findall(r"events=(\d+) messages=(\d+) profile=shop", text)
        return {"latency": latency, "evaluation": evaluation[0] if evaluation else None, "first": first, "notified": notified}
    finally:
        shutil.rmtree(work, ignore_errors=True)

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=f"{ROOT}/.build/release/pulse")
    ap.add_argument("--fake", default=f"{ROOT}/.build/release/pulse-fake-vendors")
    ap.add_argument("--events", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--types", default="slack,pagerduty,teams,webhook")
    ap.add_argument("--serve-runs", type=int, default=5)
    ap.add_argument("--skip-delivery", action="store_true")
    ap.add_argument("--skip-serve", action="store_true")
    args = ap.parse_args()
    args.bin = os.path.abspath(args.bin)
    receiver = subprocess.Popen([args.fake, "--receiver"], stdout=subprocess.PIPE, text=True)
    try:
        base = receiver.stdout.readline().strip()
        if not base.startswith("http://127.0.0.1:"):
            sys.exit(f"pulse-fake-vendors --receiver printed {base!r}")
        print(f"receiver at {base}")
        if not args.skip_delivery:
            print(f"(a) pulse bench notify --events {args.events}, {args.runs} runs per type")
            rows = delivery(args, base)
            print()
            print("| channel | queued as | events | messages (requests received) | deliver, median (min-max) | events/s | messages/s | queue N events | peak RSS |")
            print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
            for r in rows:
                grouping = "one evaluation" if r["grouping"] == "together" else "each its own message"
                received = "/".join(str(x) for x in r["received"])
                print(f"| {r['type']} | {grouping} | {r['events']:,} | {r['messages']:,} ({received}) | {r['deliver']:.3f} s ({r['deliver_min']:.3f}-{r['deliver_max']:.3f}) "
                      f"| {r['events_per_s']:,.0f} | {r['messages_per_s']:,.0f} | {r['queue']:.3f} s | {r['rss']:.0f} MB |")
            print()
        if not args.skip_serve:
            print(f"(b) pulse serve: snapshot renamed into place -> the Slack receiver's next arrival, {args.serve_runs} runs")
            results = []
            for run in range(args.serve_runs):
                r = serve_latency(args, base, run)
                results.append(r)
                ev = f"{r['evaluation'] * 1000:.0f} ms" if r["evaluation"] is not None else "?"
                print(f"  run {run + 1}: {r['latency'] * 1000:.1f} ms (evaluation {ev}; first message {r['first']:.2f} s after start; "
                      f"notified {r['notified']})", flush=True)
            lat = [r["latency"] * 1000 for r in results]
            evs = [r["evaluation"] * 1000 for r in results if r["evaluation"] is not None]
            print(f"  latency: median {statistics.median(lat):.1f} ms, min {min(lat):.1f}, max {max(lat):.1f} ms; "
                  f"evaluation (log) median {statistics.median(evs) if evs else float('nan'):.0f} ms")
    finally:
        receiver.terminate()
        receiver.wait(timeout=10)

if __name__ == "__main__":
    main()
