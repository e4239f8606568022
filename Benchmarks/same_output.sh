#!/bin/bash
# Whether two builds of pulse give byte-identical `pulse eval --format json` on the demo's two days
# and on three 1M-listing stores (seed 1; its stock shuffled; --coverage 33), each judged at a
# fixed --now so that no wall clock enters the output. For a change that must not change results:
#
#   Benchmarks/same_output.sh OLD_PULSE NEW_PULSE [DIR]
#
# DIR (default /tmp/pulse-bench) holds the generated stores, made with NEW_PULSE when missing.
set -euo pipefail
old=$1; new=$2; dir=${3:-/tmp/pulse-bench}
root=$(cd "$(dirname "$0")/.." && pwd)
profile=$root/../shared/bench/profile.yaml
mkdir -p "$dir"
[ -f "$dir/1000000/snapshot.json" ] || "$new" generate --listings 1000000 --seed 1 --out "$dir/1000000"
[ -f "$dir/1000000-coverage33/snapshot.json" ] || "$new" generate --listings 1000000 --seed 1 --coverage 33 --out "$dir/1000000-coverage33"
if [ ! -f "$dir/1000000-shuffled-stock/stock.jsonl" ]; then
  mkdir -p "$dir/1000000-shuffled-stock"
  for f in "$dir/1000000"/*; do [ "$(basename "$f")" = stock.jsonl ] || ln -sf "$f" "$dir/1000000-shuffled-stock/"; done
  python3 -c "import random,sys; l=open(sys.argv[1]).readlines(); random.Random(1).shuffle(l); open(sys.argv[2],'w').writelines(l)" \
    "$dir/1000000/stock.jsonl" "$dir/1000000-shuffled-stock/stock.jsonl"
fi
out=$(mktemp -d)
status=0
run() {  # name, then the eval arguments
  local name=$1; shift
  (cd "$root" && "$old" eval "$@" --format json > "$out/$name.old" && "$new" eval "$@" --format json > "$out/$name.new")
  if cmp -s "$out/$name.old" "$out/$name.new"; then echo "identical  $name ($(wc -c < "$out/$name.new") bytes)"
  else echo "DIFFERENT  $name: diff $out/$name.old $out/$name.new"; status=1; fi
}
run demo --profile demo --snapshot examples/demo --now 2026-03-17T08:00:00Z
run demo-next --profile demo --snapshot examples/demo-next --now 2026-03-18T08:00:00Z
for s in 1000000 1000000-shuffled-stock 1000000-coverage33; do
  run "$s" --profile "$profile" --snapshot "$dir/$s" --now 2026-03-17T08:00:00Z
done
[ $status = 0 ] && rm -rf "$out"
exit $status
