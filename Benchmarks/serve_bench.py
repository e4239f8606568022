#!/usr/bin/env python3
"""The serve benchmark: `pulse serve` with a 1M-listing snapshot, loaded by wrk on loopback.

Serves one profile (shared/bench/profile.yaml's `bench`, or --profile) whose snapshots folder
holds the snapshot given, then:
  1. waits for the first evaluation and notes its time;
  2. runs wrk (2 threads, 16 connections, --seconds) against GET /api/v1/profiles/bench/cards
     with an owner token, and samples the server's resident memory every second;
  3. renames a second snapshot (same rows, taken_at a day later) into place, the way pull does,
     and measures how long until /served shows it, against that evaluation's own time.

    swift build -c release --product pulse
    .build/release/pulse generate --listings 1000000 --out /tmp/pulse-bench/1000000   # once
    python3 Benchmarks/serve_bench.py --snapshot /tmp/pulse-bench/1000000 [--seconds 60]
"""
import argparse, json, os, re, shutil, subprocess, sys, tempfile, threading, time, urllib.request

def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0

class Sampler:
    """Samples a process's resident memory every `interval` seconds while in a `with` block."""
    def __init__(self, pid, interval):
        self.pid, self.interval, self.samples, self.stop = pid, interval, [], threading.Event()
    def __enter__(self):
        self.samples.append(rss_mb(self.pid))
        def run():
            while not self.stop.wait(self.interval):
                self.samples.append(rss_mb(self.pid))
        self.thread = threading.Thread(target=run)
        self.thread.start()
        return self
    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()
        self.samples.append(rss_mb(self.pid))

def get(url, token):
    req = urllib.request.Request(url, headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.read()

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--snapshot", required=True)
    ap.add_argument("--bin", default=".build/release/pulse")
    ap.add_argument("--cards", default="cards")
    ap.add_argument("--profile-file", default="../shared/bench/profile.yaml")
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--port", type=int, default=18181)
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="pulse-serve-bench-")
    os.makedirs(f"{work}/profiles")
    shutil.copy(args.profile_file, f"{work}/profiles/bench.yaml")
    os.makedirs(f"{work}/snapshots/bench")
    snap = os.path.abspath(args.snapshot)
    os.symlink(snap, f"{work}/snapshots/bench/a")
    out = subprocess.run([args.bin, "token", "new", "--profile", "bench", "--role", "owner", "--name", "bench"],
                         check=True, capture_output=True, text=True).stdout
    token = re.search(r"^token: (\S+)", out, re.M).group(1)
    line = re.search(r"^  - .*$", out, re.M).group(0)
    with open(f"{work}/tokens.yaml", "w") as f:
        f.write("tokens:\n" + line + "\n")
    base = f"http://127.0.0.1:{args.port}"
    log = open(f"{work}/serve.log", "w+")
    server = subprocess.Popen([args.bin, "serve", "--cards", os.path.abspath(args.cards), "--profiles", f"{work}/profiles",
                               "--snapshots", f"{work}/snapshots", "--db", f"{work}/history.sqlite", "--tokens", f"{work}/tokens.yaml",
                               "--listen", f"127.0.0.1:{args.port}"], stdout=log, stderr=subprocess.STDOUT)
    try:
        started = time.time()
        while True:
            try:
                served = json.loads(get(f"{base}/api/v1/profiles/bench/served", token))
                if served["taken_at"]:
                    break
            except Exception:
                pass
            if server.poll() is not None:
                sys.exit("pulse serve stopped:\n" + open(f"{work}/serve.log").read())
            time.sleep(0.05)
        print(f"first evaluation served after {time.time() - started:.2f} s (start-up, load, evaluate, record)")
        body = get(f"{base}/api/v1/profiles/bench/cards", token)
        print(f"cards document: {len(body):,} bytes")
        with Sampler(server.pid, 1.0) as memory:
            wrk = subprocess.run(["wrk", "-t2", f"-c{args.connections}", f"-d{args.seconds}s", "--latency", "-H", f"Authorization: Bearer {token}",
                                  f"{base}/api/v1/profiles/bench/cards"], capture_output=True, text=True)
        samples = memory.samples
        print(wrk.stdout)
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", wrk.stdout).group(1))
        p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", wrk.stdout)
        p99_ms = float(p99.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)]
        total = int(re.search(r"(\d+) requests in", wrk.stdout).group(1))
        print(f"wrk: {total:,} requests, {rps:,.0f} req/s, p99 {p99_ms:.2f} ms")
        print(f"server RSS over the run: first {samples[0]:.0f} MB, min {min(samples):.0f}, max {max(samples):.0f}, last {samples[-1]:.0f} MB")
        # The longest worklist as CSV: streamed, so memory does not grow with it.
        doc = json.loads(get(f"{base}/api/v1/profiles/bench/cards?max_rows=0", token))
        longest = max(doc["cards"], key=lambda c: c["row_count"])
        t0 = time.time()
        with Sampler(server.pid, 0.05) as memory:
            size = len(get(f"{base}/api/v1/profiles/bench/cards/{longest['key']}?format=csv", token))
        before, peak = memory.samples[0], memory.samples
        print(f"CSV of {longest['key']} ({longest['row_count']:,} rows): {size:,} bytes in {time.time() - t0:.2f} s; "
              f"server RSS {before:.0f} MB before, {max(peak):.0f} MB at most while streaming")
        # A new snapshot arrives: hard links of the same files, a later taken_at, renamed into place.
        staging = f"{work}/snapshots/bench/.b.tmp-1"
        os.makedirs(staging)
        for name in os.listdir(snap):
            if name != "snapshot.json":
                os.symlink(f"{snap}/{name}", f"{staging}/{name}")
        header = json.load(open(f"{snap}/snapshot.json"))
        header["taken_at"] = "2099-01-01T00:00:00Z"
        json.dump(header, open(f"{staging}/snapshot.json", "w"))
        arrived = time.time()
        os.rename(staging, f"{work}/snapshots/bench/b")
        while json.loads(get(f"{base}/api/v1/profiles/bench/served", token))["taken_at"] != "2099-01-01T00:00:00Z":
            time.sleep(0.01)
        latency = time.time() - arrived
        evaluation = json.loads(get(f"{base}/api/v1/status", token))["snapshot"]["seconds"]
        print(f"new snapshot served {latency:.2f} s after it arrived; its evaluation took {evaluation:.2f} s "
              f"(bound: evaluation + 1 s = {evaluation + 1:.2f} s)")
    finally:
        server.terminate()
        server.wait(timeout=60)
        shutil.rmtree(work, ignore_errors=True)

if __name__ == "__main__":
    main()
