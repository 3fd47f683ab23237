"""The lab's data and the stack's own code, for the data-path tests.

- `lab_trades()`: the course's replay file (shared/lab/crypto_trades_20201001.csv)
  as the course generator sends each trade: a JSON object with the keys of
  `TRADE_KEYS`, transaction_ts and trans_id as ints, the amounts as floats.
- `firehose_objects()`: those trades as Firehose writes them into the raw
  zone: JSON lines, one object per buffer, under the arrival-time prefix the
  stack configures (`stackgen plan`'s prefixes.raw_data).
- `Stack`: a stack rendered by the CLI (`stackgen render` and `stackgen
  plan`), its resources read back with python-hcl2, and its Lambda handlers
  imported from the zips it ships.
- `handout_extremes()`: the rows the handout prints for its exercise 3 query.
"""

from __future__ import annotations

import csv
import importlib.util
import itertools
import json
import os
import re
import sys
import uuid
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import hcl2
import pytest

from infra import tfcheck

REPO = tfcheck.REPO


def lab_dir() -> Path:
    """The course material: `shared/lab/` beside the repository (where CI
    puts a copy of shared/), or STACKGEN_LAB."""
    return Path(os.environ.get("STACKGEN_LAB") or REPO.parent / "shared" / "lab")


def lab_file(name: str) -> Path:
    path = lab_dir() / name
    if not path.is_file():
        # Not a skip: without the lab's data these tests prove nothing, and a
        # CI run that silently proved nothing would look green.
        pytest.fail(
            f"the lab's {name} is not at {path}; set STACKGEN_LAB to the folder that holds it",
            pytrace=False,
        )
    return path


# The keys of one trade, in the order the generator sends them, with the
# types they have in its JSON. The CSV's `date` column is not sent.
TRADE_KEYS: dict[str, type] = {
    "transaction_ts": int,
    "symbol": str,
    "price": float,
    "amount": float,
    "dollar_amount": float,
    "type": str,
    "trans_id": int,
}
# The handout's facts about the file (lab-instructions-pl.txt, exercises 4
# and 5): its size, the planted trade and the first hour's BTC_USD count.
LAB_TRADES = 15_779
PLANTED_TRANS_ID = 124_292_345
PLANTED_LINE = 888
FIRST_HOUR_BTC_USD = 337


def lab_trades() -> list[dict[str, Any]]:
    """Every trade of the lab's CSV, in file order, as the generator's JSON
    objects (line N of the file is element N - 2)."""
    path = lab_file("crypto_trades_20201001.csv")
    with path.open(newline="") as f:
        rows = list(csv.DictReader(f))
    trades = [{key: kind(row[key]) for key, kind in TRADE_KEYS.items()} for row in rows]
    if len(trades) != LAB_TRADES or trades[PLANTED_LINE - 2]["trans_id"] != PLANTED_TRANS_ID:
        pytest.fail(
            f"{path} is not the lab's file: {len(trades)} trades (expected"
            f" {LAB_TRADES}), line {PLANTED_LINE} is not trans_id {PLANTED_TRANS_ID}",
            pytrace=False,
        )
    return trades


def generator_record(trade: dict[str, Any]) -> bytes:
    """What the course generator puts on the stream for one trade."""
    return (json.dumps(trade) + "\n").encode("utf-8")


def trade_tuple(trade: dict[str, Any]) -> tuple:
    return tuple(trade[key] for key in TRADE_KEYS)


# --- Firehose ---------------------------------------------------------------------

# The simulated run starts when the handout's student's did: every row the
# handout prints for exercise 3 sits in the arrival-time partition
# year=2021/month=04/day=17/hour=17.
ARRIVAL_START = datetime(2021, 4, 17, 17, 0, 0, tzinfo=UTC)
# Trades per second reaching Firehose (the rate stackgen's cost estimate
# assumes). 15,779 trades then take 26 minutes: all inside that one hour,
# as in the handout.
ARRIVAL_RATE = 10.0

# Firehose's `!{timestamp:...}` uses Java's date format letters.
_JAVA_DATE = {"yyyy": "%Y", "MM": "%m", "dd": "%d", "HH": "%H"}
_TIMESTAMP_EXPR = re.compile(r"!\{timestamp:([^}]*)\}")


def expand_prefix(template: str, when: datetime) -> str:
    """A Firehose S3 prefix with its `!{timestamp:...}` expressions filled
    in for `when` (UTC), as Firehose does for an object's records."""

    def one(m: re.Match) -> str:
        pattern = m.group(1)
        if pattern not in _JAVA_DATE:
            raise ValueError(f"unsupported Firehose timestamp format {pattern!r} in {template!r}")
        return when.strftime(_JAVA_DATE[pattern])

    expanded = _TIMESTAMP_EXPR.sub(one, template)
    if "!{" in expanded:
        raise ValueError(f"unsupported Firehose expression left in {expanded!r}")
    return expanded


@dataclass(frozen=True)
class RawObject:
    key: str
    body: bytes
    trades: list[dict[str, Any]]


def firehose_objects(
    trades: Iterable[dict[str, Any]],
    plan: dict,
    start: datetime = ARRIVAL_START,
    rate: float = ARRIVAL_RATE,
) -> list[RawObject]:
    """The raw zone's objects for `trades` arriving at `rate` per second
    from `start`, with the stack's buffering hints (plan spec.firehose: an
    object is written when its buffer holds buffer_size_mb or is
    buffer_interval_s old). Firehose names an object
    `<prefix><stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid>`, the prefix and
    name taken at the oldest record's arrival."""
    firehose = plan["spec"]["firehose"]
    max_bytes = int(firehose["buffer_size_mb"]) * 1024 * 1024
    interval = timedelta(seconds=int(firehose["buffer_interval_s"]))
    template = plan["prefixes"]["raw_data"]
    stream = plan["names"]["firehose"]

    objects: list[RawObject] = []
    buffer: list[tuple[dict[str, Any], bytes]] = []
    opened = start

    def flush() -> None:
        body = b"".join(line for _, line in buffer)
        name = "{}-1-{}-{}".format(
            stream,
            opened.strftime("%Y-%m-%d-%H-%M-%S"),
            # Deterministic: the same run gives the same keys.
            uuid.uuid5(uuid.NAMESPACE_URL, f"{stream}/{len(objects)}"),
        )
        objects.append(
            RawObject(expand_prefix(template, opened) + name, body, [t for t, _ in buffer])
        )
        buffer.clear()

    for n, trade in enumerate(trades):
        arrival = start + timedelta(seconds=n / rate)
        line = generator_record(trade)
        if buffer and (
            arrival - opened >= interval or sum(len(b) for _, b in buffer) + len(line) > max_bytes
        ):
            flush()
        if not buffer:
            opened = arrival
        buffer.append((trade, line))
    if buffer:
        flush()
    return objects


# --- the stack ---------------------------------------------------------------------

_QUOTED = re.compile(r'^"(.*)"$', re.DOTALL)
_REFERENCE = re.compile(r"^\$\{([A-Za-z0-9_]+)\.([A-Za-z0-9_]+)\.([A-Za-z0-9_]+)\}$")


def _unquote(value: Any) -> Any:
    """python-hcl2 keeps HCL's quotes: `"\\"abc\\""` is the string abc,
    `"${x.y.z}"` an expression."""
    if isinstance(value, str):
        m = _QUOTED.match(value)
        return m.group(1) if m else value
    if isinstance(value, list):
        return [_unquote(v) for v in value]
    if isinstance(value, dict):
        return {_unquote(k): _unquote(v) for k, v in value.items() if not k.startswith("__")}
    return value


@dataclass
class Stack:
    """A stack as the CLI renders it. `resources[(type, name)]` is a
    resource's body (blocks as lists of dicts, strings unquoted)."""

    example: Path
    directory: Path
    plan: dict
    resources: dict[tuple[str, str], dict]
    # Filled by glue_table: the database each table was read from.
    table_databases: dict[str, str] = field(default_factory=dict)

    @classmethod
    def render(cls, stackgen: Path, example: Path, out: Path) -> Stack:
        tfcheck.render(stackgen, example, out)
        plan = tfcheck.stackgen_plan(stackgen, example)
        resources: dict[tuple[str, str], dict] = {}
        for tf in sorted(out.glob("*.tf")):
            with tf.open() as f:
                parsed = hcl2.load(f)
            for block in parsed.get("resource") or []:
                for rtype, named in _unquote(block).items():
                    for name, body in named.items():
                        resources[(rtype, name)] = body
        return cls(example, out, plan, resources)

    @property
    def region(self) -> str:
        return self.plan["spec"]["region"]

    @property
    def account_id(self) -> str:
        return self.plan["spec"]["account_id"]

    def of_type(self, rtype: str) -> dict[str, dict]:
        return {name: body for (t, name), body in self.resources.items() if t == rtype}

    def function(self, handler: str) -> dict:
        """The aws_lambda_function whose handler is `handler`."""
        found = [
            f for f in self.of_type("aws_lambda_function").values() if f.get("handler") == handler
        ]
        if len(found) != 1:
            pytest.fail(
                f"{self.example.name}: {len(found)} aws_lambda_function with handler {handler!r}",
                pytrace=False,
            )
        return found[0]

    def resolve(self, value: str) -> str:
        """A literal, or a `${TYPE.NAME.ATTR}` reference to a literal
        attribute of another resource of the stack (a bucket's `id` is its
        `bucket`). Anything else fails the test: its value is only known to
        AWS."""
        m = _REFERENCE.match(value)
        if not m:
            if "${" in value:
                pytest.fail(f"{self.example.name}: cannot evaluate {value!r}", pytrace=False)
            return value
        rtype, name, attr = m.groups()
        body = self.resources.get((rtype, name))
        if body is None:
            pytest.fail(f"{self.example.name}: {value!r} names no resource", pytrace=False)
        if rtype == "aws_s3_bucket" and attr in ("id", "arn"):
            bucket = self.resolve(str(body.get("bucket")))
            return bucket if attr == "id" else f"arn:{self.plan['partition']}:s3:::{bucket}"
        literal = body.get(attr)
        if not isinstance(literal, str):
            pytest.fail(f"{self.example.name}: {value!r} is not a literal", pytrace=False)
        return self.resolve(literal)

    def environment(self, function: dict) -> dict[str, str]:
        """The function's environment variables, references resolved."""
        blocks = function.get("environment") or [{}]
        variables = blocks[0].get("variables") or {}
        return {k: self.resolve(str(v)) for k, v in variables.items()}

    def zip_path(self, function: dict) -> Path:
        filename = str(function["filename"]).replace("${path.module}", str(self.directory))
        return Path(filename)

    def handler(self, function: dict, into: Path) -> tuple[ModuleType, Callable]:
        """Imports the function's handler from the stack's own zip.

        The zip is extracted into `into` and its module loaded under a name
        of its own: tests/python puts templates/lambda/ on sys.path under the
        same module names, and in a shared pytest worker `import
        lambda_definition` could return that copy instead of the zip's. Each
        call is a new module, with the module-level state of a cold start.
        """
        module_name, _, attr = str(function["handler"]).rpartition(".")
        into.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(self.zip_path(function)) as z:
            z.extractall(into)
        source = into / f"{module_name}.py"
        spec = importlib.util.spec_from_file_location(
            f"stack_{module_name}_{uuid.uuid4().hex}", source
        )
        if spec is None or spec.loader is None:
            pytest.fail(f"cannot load {source}", pytrace=False)
        module = importlib.util.module_from_spec(spec)
        # As an import would: dataclasses look their module up there.
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        return module, getattr(module, attr)

    def bucket_of(self, location_key: str) -> str:
        """The bucket of one of the plan's `s3://bucket/prefix` locations
        (prefixes.raw_location, prefixes.processed_location)."""
        location = self.plan["prefixes"][location_key]
        if not location.startswith("s3://"):
            pytest.fail(
                f"{self.example.name}: prefixes.{location_key} is {location!r}", pytrace=False
            )
        return location[len("s3://") :].split("/", 1)[0]

    def crawler_database(self) -> str:
        """The Glue database the crawler creates its table in."""
        crawlers = list(self.of_type("aws_glue_crawler").values())
        if len(crawlers) != 1:
            pytest.fail(f"{self.example.name}: {len(crawlers)} Glue crawlers", pytrace=False)
        return self.resolve(str(crawlers[0]["database_name"]))

    def glue_table(self, name: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """(columns, partition keys) of the stack's Glue table `name`, as
        (name, Athena type) pairs in table order."""
        tables = [
            t for t in self.of_type("aws_glue_catalog_table").values() if t.get("name") == name
        ]
        if len(tables) != 1:
            pytest.fail(
                f"{self.example.name}: {len(tables)} Glue tables named {name!r}", pytrace=False
            )
        table = tables[0]
        self.table_databases[name] = self.resolve(str(table["database_name"]))
        columns = [(c["name"], c["type"]) for c in table["storage_descriptor"][0]["columns"]]
        keys = [(k["name"], k["type"]) for k in table["partition_keys"]]
        return columns, keys


def chunks(items: list, size: int) -> Iterable[list]:
    it = iter(items)
    while batch := list(itertools.islice(it, size)):
        yield batch


# --- the handout -------------------------------------------------------------------

# The header of the exercise 3 output the handout prints.
_EXTREMES_HEADER = (
    "HourlyBucket\trnk\ttransaction_ts\tsymbol\tprice\tamount\tdollar_amount"
    "\ttype\ttrans_id\tyear\tmonth\tday\thour"
)
# Types of those columns in Athena's answer over the crawler's table: the
# crawler makes the arrival-time partition columns strings (hence "04").
EXTREMES_TYPES = (str, int, int, str, float, float, float, str, int, str, str, str, str)


def handout_extremes() -> list[tuple]:
    """The rank-1 rows the handout prints for exercise 3, typed."""
    path = lab_file("lab-instructions-pl.txt")
    lines = path.read_text(encoding="utf-8").splitlines()
    try:
        start = lines.index(_EXTREMES_HEADER) + 1
    except ValueError:
        pytest.fail(f"{path}: no exercise 3 output header", pytrace=False)
    rows = []
    for line in lines[start:]:
        fields = line.split("\t")
        if len(fields) != len(EXTREMES_TYPES):
            break
        rows.append(tuple(kind(v) for kind, v in zip(EXTREMES_TYPES, fields)))
    return rows
