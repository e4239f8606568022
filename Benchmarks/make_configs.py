#!/usr/bin/env python3
"""Writes 200 cards (copies of the seed cards under new keys) and 500 profiles (a chain of
extends, each tuning one card) for timing `pulse validate`. Usage:
  python3 Benchmarks/make_configs.py /tmp/pulse-configs && cd /tmp/pulse-configs && pulse validate"""
import os, sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/pulse-configs"
os.makedirs(os.path.join(out, "cards", "gen"), exist_ok=True)
os.makedirs(os.path.join(out, "profiles"), exist_ok=True)
seeds = [open(os.path.join(root, "cards", "aliexpress", f + ".yaml")).read()
         for f in ("aex_xc_listed_but_oos_on_bc", "aex_ship_to_country_coverage", "aex_rejected_listings_24h")]
for i in range(200):
    text = seeds[i % 3]
    key = f"gen_card_{i:03d}"
    text = text.replace(text.split("\n")[0], f"key: {key}")
    open(os.path.join(out, "cards", "gen", key + ".yaml"), "w").write(text)
for i in range(500):
    extends = "" if i == 0 else f"extends: merchant_{(i - 1) // 2:03d}\n"
    open(os.path.join(out, "profiles", f"merchant_{i:03d}.yaml"), "w").write(
        f"profile: merchant_{i:03d}\n{extends}timezone: Europe/London\npriority_markets: [US, GB, DE, FR, BR]\n"
        f"buffer_skus: [SKU-{i}]\ncards:\n  gen_card_{(i * 7) % 200:03d}:\n    alert: \"> {i % 5}\"\n    roles: [owner, operations]\n")
print(f"wrote 200 cards and 500 profiles under {out}")
