#!/usr/bin/env python3
"""Writes the bundled demo snapshots (snapshot format v1) of an outdoor-gear store with a few
hundred AliExpress listings where every seed card has something to say:
  examples/demo/       17 Mar 2026, a normal day (2 rejections in 24h, 7 SKUs sold out on BC)
  examples/demo-next/  the next day: the BigCommerce sync broke (many more SKUs at zero), 38
                       listings were rejected overnight for a missing brand attribute, and the
                       freight template that had dropped Brazil was fixed.
Deterministic: running it again writes the same files. Usage: python3 examples/make_demo.py"""
import json, os, random
from datetime import datetime, timedelta, timezone

rng = random.Random(17032026)
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "demo")
os.makedirs(out, exist_ok=True)
taken = datetime(2026, 3, 17, 8, 0, tzinfo=timezone.utc)
iso = lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ")

templates = [
    {"id": "FT-STD", "name": "Standard worldwide", "countries": ["US", "GB", "DE", "FR", "ES", "BR", "IT", "NL"]},
    {"id": "FT-EU", "name": "Europe only", "countries": ["GB", "DE", "FR", "ES", "IT", "NL"]},
    {"id": "FT-NOBR", "name": "Standard (Brazil dropped)", "countries": ["US", "GB", "DE", "FR", "ES"]},
    {"id": "FT-US", "name": "US priority", "countries": ["US"]},
]
restrictions = [{"category_id": "200000777", "countries": ["BR"]}]  # gas canisters: no shipping to Brazil
categories = ["200000345", "200000346", "200000512", "200000777"]
products = ["TENT", "BAG", "MAT", "LAMP", "STOVE", "POLE", "PACK", "JACKET"]
colours = ["GRN", "BLU", "RED", "BLK", "GRY"]
reasons = ["missing_brand_attribute", "image_quality", "prohibited_keyword", "category_mismatch"]

listings, stock, events = [], [], []
statuses = ["active"] * 250 + ["auditing"] * 16 + ["rejected"] * 12 + ["expired"] * 8 + ["offline"] * 6 + ["draft"] * 8
rng.shuffle(statuses)
seen_skus = set()
for n, status in enumerate(statuses):
    lid = str(1005006000000000 + n * 7919)
    product = rng.choice(products)
    skus = []
    for k in range(rng.choice([1, 1, 2, 2, 3])):
        code = f"{product}-{n:03d}-{colours[k]}"
        skus.append({"code": code, "stock": rng.choice([0, 3, 5, 12, 20, 40]), "price": f"{rng.randint(9, 199)}.99"})
        seen_skus.add(code)
    template = rng.choices(["FT-STD", "FT-EU", "FT-NOBR", "FT-US"], weights=[80, 6, 10, 4])[0]
    listing = {
        "id": lid, "title": f"{product.title()} #{n}", "status": status, "category_id": rng.choice(categories),
        "freight_template_id": template, "ship_to": None,
        "created_at": iso(taken - timedelta(days=rng.randint(30, 400))),
        "updated_at": iso(taken - timedelta(hours=rng.randint(1, 500))),
        "expires_at": iso(taken + timedelta(days=rng.randint(10, 200))),
        "rejection_reason": None, "skus": skus,
    }
    if n % 41 == 5:  # a few listings set their own destinations, overriding the template
        listing["ship_to"] = ["US", "GB", "DE", "FR", "BR"]
    if status == "rejected":
        listing["rejection_reason"] = rng.choices(reasons, weights=[5, 4, 1, 1])[0]
    listings.append(listing)

# The merchant's special SKUs, on active listings with AliExpress stock.
actives = [l for l in listings if l["status"] == "active"]
specials = [("TENT-2P-GRN", "buffer SKU sold past zero on purpose"), ("STOVE-GAS-DROP", "drop-shipped, not in BC stock")]
for (code, _), listing in zip(specials, actives[:2]):
    listing["skus"].append({"code": code, "stock": 8, "price": "49.99"})

for listing in listings:
    for sku in listing["skus"]:
        code = sku["code"]
        available = rng.choice([4, 9, 15, 25, 60, 120])
        tracking = "variant"
        record = {"sku": code, "available": available, "tracking": tracking, "purchasable": True,
                  "updated_at": iso(taken - timedelta(hours=rng.randint(1, 300)))}
        stock.append(record)

by_sku = {s["sku"]: s for s in stock}
# Sold out on BigCommerce while the AliExpress listing still sells them: the OOS card's rows.
oos_listings = [l for l in actives[2:] if any(s["stock"] > 0 for s in l["skus"])][:7]
for listing in oos_listings:
    sku = next(s for s in listing["skus"] if s["stock"] > 0)
    by_sku[sku["code"]].update(available=rng.choice([0, 0, -2]), updated_at=iso(taken - timedelta(hours=rng.randint(2, 30))))
by_sku["TENT-2P-GRN"].update(available=0)          # buffer SKU: excluded by the profile
by_sku["STOVE-GAS-DROP"].update(available=0)       # separate fulfilment: excluded by the profile
untracked = [l for l in actives[12:] if l["skus"][0]["stock"] > 0][0]["skus"][0]["code"]
by_sku[untracked].update(available=0, tracking="none")   # untracked in BC: never out of stock by quantity
missing = [l for l in actives[20:] if l["skus"][0]["stock"] > 0][0]["skus"][0]["code"]
stock = [s for s in stock if s["sku"] != missing]        # no BC record at all: not counted

# Audit history over the last 72 hours, rejections clustered on a missing brand attribute.
for listing in listings:
    if listing["status"] in ("auditing", "rejected") or rng.random() < 0.1:
        submitted = taken - timedelta(hours=rng.randint(30, 72), minutes=rng.randint(0, 59))
        events.append({"listing_id": listing["id"], "at": iso(submitted), "from": "draft", "to": "auditing"})
recent = [l for l in listings if l["status"] == "rejected"][:2]
for i, listing in enumerate(recent):
    at = taken - timedelta(hours=rng.randint(1, 20), minutes=rng.randint(0, 59))
    reason = ["missing_brand_attribute", "image_quality"][i]
    listing["rejection_reason"] = reason
    events.append({"listing_id": listing["id"], "at": iso(at), "from": "auditing", "to": "rejected", "reason": reason})
    if i == 0:  # fixed, resubmitted and rejected again within the day: counts once
        events.append({"listing_id": listing["id"], "at": iso(at + timedelta(minutes=50)), "from": "auditing",
                       "to": "rejected", "reason": reason})
for listing in [l for l in listings if l["status"] == "rejected"][2:]:  # older rejections, outside 24h
    events.append({"listing_id": listing["id"], "at": iso(taken - timedelta(hours=rng.randint(30, 70))),
                   "from": "auditing", "to": "rejected", "reason": listing["rejection_reason"]})
events.sort(key=lambda e: e["at"])

def write_snapshot(folder, taken_at, listings, stock, events, templates):
    os.makedirs(folder, exist_ok=True)
    def write(name, rows):
        with open(os.path.join(folder, name), "w") as f:
            for row in rows:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
    with open(os.path.join(folder, "snapshot.json"), "w") as f:
        f.write(json.dumps({"format": 1, "store": "acme-outdoor", "taken_at": iso(taken_at)}) + "\n")
    write("listings.jsonl", listings)
    write("stock.jsonl", stock)
    write("audit_events.jsonl", events)
    write("freight_templates.jsonl", templates)
    write("category_restrictions.jsonl", restrictions)
    print(f"wrote {folder}: {len(listings)} listings, {len(stock)} stock records, {len(events)} audit events")

write_snapshot(out, taken, listings, stock, events, templates)

# The next day.
import copy
taken2 = taken + timedelta(days=1)
listings2, stock2, events2, templates2 = (copy.deepcopy(x) for x in (listings, stock, events, templates))
by_sku2 = {s["sku"]: s for s in stock2}
# The BigCommerce sync broke: 25 more SKUs that AliExpress still sells read zero.
broken = [s for l in listings2 if l["status"] == "active" for s in l["skus"]
          if s["stock"] > 0 and s["code"] in by_sku2 and by_sku2[s["code"]]["available"] > 0][40:65]
for sku in broken:
    by_sku2[sku["code"]].update(available=0, updated_at=iso(taken2 - timedelta(hours=3)))
# 38 listings rejected overnight, nearly all for a missing brand attribute.
overnight = [l for l in listings2 if l["status"] in ("active", "auditing")][100:138]
for i, listing in enumerate(overnight):
    reason = "image_quality" if i in (5, 20) else "missing_brand_attribute"
    listing["status"], listing["rejection_reason"] = "rejected", reason
    events2.append({"listing_id": listing["id"], "at": iso(taken2 - timedelta(hours=rng.randint(1, 12), minutes=rng.randint(0, 59))),
                    "from": "auditing", "to": "rejected", "reason": reason})
events2.sort(key=lambda e: e["at"])
# The template that had dropped Brazil ships there again, and the EU template now covers the US and Brazil.
next(t for t in templates2 if t["id"] == "FT-NOBR")["countries"].append("BR")
next(t for t in templates2 if t["id"] == "FT-EU")["countries"].extend(["US", "BR"])
write_snapshot(os.path.join(os.path.dirname(out), "demo-next"), taken2, listings2, stock2, events2, templates2)
