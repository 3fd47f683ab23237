#!/usr/bin/env bash
# Benchmark of issue 12, on a release build and one moto server, printed as
# a Markdown table:
#   1. the handout's generator (scripts/handout_baseline.py: boto3
#      put_record per trade, no sleep) against `stackgen replay --max
#      --single-run`, both over the whole lab CSV into a fresh stream:
#      records per second and the ratio (target: at least 20x);
#   2. `stackgen replay --rate 200` for 30 s (`--limit 6000`): the rate it
#      held (target: within 5 % of 200/s), and the records in the stream.
# Needs the test tools (scripts/install-test-tools.sh) for moto and boto3.
# LAB_CSV overrides the trade file; BASELINE_LIMIT sends only that many
# trades the handout's way (default: all of them).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

LAB_CSV=${LAB_CSV:-$PWD/../shared/lab/crypto_trades_20201001.csv}
bash scripts/install-test-tools.sh >/dev/null
# shellcheck source=/dev/null
source "${STACKGEN_TOOLS:-$HOME/.cache/stackgen-tools}/env.sh"
# PROFILE=debug measures the debug build instead (quicker to build; the
# book's figures, docs/src/internals/benchmarks.md, are from release).
PROFILE=${PROFILE:-release}
if [[ $PROFILE == release ]]; then cargo build --locked --release --quiet; else cargo build --locked --quiet; fi
bin=$PWD/target/$PROFILE/stackgen
spec=examples/modern.yaml

work=$(mktemp -d)
python - "$work" "$spec" "$bin" "$LAB_CSV" "${BASELINE_LIMIT:-}" <<'PY'
import json, os, subprocess, sys, time, urllib.request
from pathlib import Path

work, spec, stackgen, csv_path, baseline_limit = sys.argv[1:]
sys.path.insert(0, "tests")
from infra.motoserver import MotoServer  # noqa: E402
import boto3  # noqa: E402

plan = json.loads(subprocess.check_output([stackgen, "plan", spec]))
g = plan["generator"]
server = MotoServer.start(plan["spec"]["account_id"], Path(work))
env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
env.update(AWS_ENDPOINT_URL=server.endpoint, AWS_ACCESS_KEY_ID="test",
           AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION=g["region"],
           AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
kinesis = boto3.client("kinesis", **server.boto3_env(g["region"]))


def fresh_stream():
    urllib.request.urlopen(urllib.request.Request(
        f"{server.endpoint}/moto-api/reset", method="POST")).close()
    kinesis.create_stream(StreamName=g["stream_name"], ShardCount=1)


def count():
    shard = kinesis.list_shards(StreamName=g["stream_name"])["Shards"][0]["ShardId"]
    it = kinesis.get_shard_iterator(StreamName=g["stream_name"], ShardId=shard,
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    n = 0
    while it:
        page = kinesis.get_records(ShardIterator=it, Limit=10000)
        if not page["Records"]:
            break
        n += len(page["Records"])
        it = page.get("NextShardIterator")
    return n


def replay(*flags):
    out = subprocess.run([stackgen, "replay", spec, "--data", csv_path, *flags],
                         env=env, capture_output=True, text=True, check=True).stdout
    return out.strip()


try:
    fresh_stream()
    args = [sys.executable, "scripts/handout_baseline.py", "-k", g["stream_name"], "-i", csv_path]
    if baseline_limit:
        args += ["-n", baseline_limit]
    base = json.loads(subprocess.check_output(args, env=env))
    base_stored = count()

    fresh_stream()
    start = time.perf_counter()
    line = replay("--max", "--single-run")
    wall = time.perf_counter() - start
    sent = int(line.split()[1])
    fast_stored = count()
    # Wall time of the whole process: start-up and reading the CSV included.
    fast_rate = sent / wall

    fresh_stream()
    line200 = replay("--rate", "200", "--limit", "6000")
    seconds200 = float(line200.split(" in ")[1].split(" s ")[0])
    rate200 = 6000 / seconds200
    stored200 = count()
finally:
    server.stop()

print("| what | records | seconds | records/s | in the stream |")
print("|---|---|---|---|---|")
print(f"| handout: boto3 put_record per trade | {base['records']} | {base['seconds']:.2f} | {base['rate']:.0f} | {base_stored} |")
print(f"| stackgen replay --max --single-run | {sent} | {wall:.2f} | {fast_rate:.0f} | {fast_stored} |")
print(f"| stackgen replay --rate 200 --limit 6000 | 6000 | {seconds200:.2f} | {rate200:.1f} ({(rate200 / 200 - 1) * 100:+.1f} % of 200) | {stored200} |")
print(f"\nreplay --max / handout = {fast_rate / base['rate']:.1f}x")
PY
rm -rf "$work"
