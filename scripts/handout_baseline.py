#!/usr/bin/env python3
"""The handout's way of sending the lab's trades, as a benchmark baseline.

What the course generator does with its defaults (`-s -1`, no sleep): one
boto3 `put_record` per trade, data `json.dumps(event) + "\n"`, partition key
the symbol, a failed put retried up to 4 times. Written here from that
description (the course's own file is not part of this repository); it is
the "before" of `stackgen replay --max` in scripts/bench-replay.sh.

    handout_baseline.py -k STREAM -i CSV [-n LIMIT]

Prints one line of JSON: {"records": N, "seconds": S, "rate": N/S}.
Reaches moto through AWS_ENDPOINT_URL like any boto3 program.
"""

from __future__ import annotations

import argparse
import csv
import json
import time

import boto3


def events(path):
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            yield {
                "transaction_ts": int(row["transaction_ts"]),
                "symbol": row["symbol"],
                "price": float(row["price"]),
                "amount": float(row["amount"]),
                "dollar_amount": float(row["dollar_amount"]),
                "type": row["type"],
                "trans_id": int(row["trans_id"]),
            }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-k", "--stream", required=True)
    parser.add_argument("-i", "--input", required=True)
    parser.add_argument("-n", "--limit", type=int, default=None)
    args = parser.parse_args()
    client = boto3.client("kinesis")
    sent = 0
    start = time.perf_counter()
    for event in events(args.input):
        if args.limit is not None and sent >= args.limit:
            break
        data = json.dumps(event) + "\n"
        for attempt in range(5):
            try:
                client.put_record(StreamName=args.stream, Data=data, PartitionKey=event["symbol"])
                break
            except client.exceptions.ProvisionedThroughputExceededException:
                if attempt == 4:
                    raise
        sent += 1
    seconds = time.perf_counter() - start
    print(json.dumps({"records": sent, "seconds": round(seconds, 3), "rate": round(sent / seconds, 1)}))


if __name__ == "__main__":
    main()
