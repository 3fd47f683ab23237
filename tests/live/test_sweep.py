"""`stackgen sweep` touches the class's own streams and nothing else.

A small classic class (three students of examples/expiring-class.yaml, one
account) has its streams on moto server, made as the stacks define them
(name, shard count, tags: `stackgen plan`). The account also holds what a
careless sweep would hit:

- a prefix twin: the stream of a student `jk-123456`, whose name starts
  with the class student `jk-12345`'s (tagged as that student's own stack
  would tag it);
- a stream with a class student's exact name (`an-s1203137`) but without
  the stack's tags;
- the stream of a student who is not in the class file;
- a class student's exact stream name, with the stack's tags, in another
  region (eu-west-1);
- an S3 bucket of the class with an object in it.

Then, comparing a full listing of the account before and after each run
(every stream of both regions with its ARN, state, shards and tags, every
bucket with its objects):

1. `sweep --older-than 2d --yes` deletes nothing (the streams are new) and
   exits 0: nothing that old bills;
2. a dry run (`--older-than 0s`) changes nothing, names exactly the class's
   own streams, and exits 5;
3. `sweep --older-than 0s --yes` deletes exactly the class's own streams
   (the two that carry their stack's tags), changes nothing else, and exits
   0; a second dry run then finds nothing and exits 0.
"""

from __future__ import annotations

import re

from .conftest import EXIT_BILLING, EXIT_OK, Moto, class_file, plan, run

CLASS = [
    {"name": "Jan Kowalski", "initials": "jk", "index_no": "12345"},
    {"name": "Anna Nowak", "initials": "an", "index_no": "s1203137"},
    {"name": "Łukasz Żak", "index_no": "12347"},
]
# Students who are not in the class file: the prefix twin of jk-12345, and
# someone else.
OTHERS = [
    {"name": "Jan Kowalski", "initials": "jk", "index_no": "123456"},
    {"name": "Ewa Nowicka", "initials": "en", "index_no": "55555"},
]
OTHER_REGION = "eu-west-1"


def without(listing: dict, streams: set[tuple[str, str]]) -> dict:
    """The listing with the streams (region, name) taken out: what a sweep
    of exactly those leaves."""
    keys = {f"kinesis {region} {name}" for region, name in streams}
    assert keys <= set(listing), f"not all of {keys} are in the listing"
    return {k: v for k, v in listing.items() if k not in keys}


def deleted_or_not(stdout: str, word: str) -> set[str]:
    """The stream names of the report's lines that start with WORD."""
    return set(re.findall(rf"^{word} .*?Kinesis Data Stream (\S+) in ", stdout, re.M))


def test_sweep_deletes_exactly_the_class_streams(stackgen, moto: Moto, tmp_path):
    spec = class_file(tmp_path / "class.yaml", CLASS)
    stacks = plan(stackgen, spec)
    others = plan(stackgen, class_file(tmp_path / "others.yaml", OTHERS))
    jk, an, lz = (stacks[d] for d in ("12345-jk", "s1203137-an", "12347-lz"))
    twin, stranger = others["123456-jk"], others["55555-en"]
    # The twin's name really extends jk's: a prefix rule would take it.
    assert twin["names"]["stream"].startswith(jk["names"]["stream"])

    own = {moto.create_stream(s) for s in (jk, lz)}
    moto.create_stream(an, tags={})
    moto.create_stream(twin)
    moto.create_stream(stranger)
    moto.create_stream(jk, region=OTHER_REGION)
    s3 = moto.client("s3", jk["spec"]["region"])
    s3.create_bucket(Bucket=jk["names"]["bucket"])
    s3.put_object(Bucket=jk["names"]["bucket"], Key="raw-zone/x.json", Body=b"{}\n")

    regions = [jk["spec"]["region"], OTHER_REGION]
    before = moto.listing(regions)

    young = run(stackgen, moto, "sweep", str(spec), "--older-than", "2d", "--yes")
    assert young.returncode == EXIT_OK, young.stdout + young.stderr
    assert moto.listing(regions) == before
    assert deleted_or_not(young.stdout, "kept") == own, young.stdout
    assert not deleted_or_not(young.stdout, "deleted"), young.stdout

    dry = run(stackgen, moto, "sweep", str(spec), "--older-than", "0s")
    assert dry.returncode == EXIT_BILLING, dry.stdout + dry.stderr
    assert moto.listing(regions) == before
    assert deleted_or_not(dry.stdout, "would delete") == own, dry.stdout
    assert "run again with --yes" in dry.stdout
    # The stream with an's name but not an's tags is named, and left alone.
    assert re.search(
        rf"^left alone .*{re.escape(an['names']['stream'])}: not the stack's", dry.stdout, re.M
    ), dry.stdout
    assert "terraform apply" in dry.stdout and "S3 buckets and their data stay" in dry.stdout

    swept = run(stackgen, moto, "sweep", str(spec), "--older-than", "0s", "--yes")
    assert swept.returncode == EXIT_OK, swept.stdout + swept.stderr
    assert deleted_or_not(swept.stdout, "deleted") == own, swept.stdout
    after = moto.listing(regions)
    # Exactly the class's own streams are gone; everything else in both
    # regions is as it was (the twin, the untagged stream, the stranger's,
    # the other region's), and so are the bucket and its object.
    assert after == without(before, {(jk["spec"]["region"], n) for n in own})
    for name, region in [
        (an["names"]["stream"], an["spec"]["region"]),
        (twin["names"]["stream"], twin["spec"]["region"]),
        (stranger["names"]["stream"], stranger["spec"]["region"]),
        (jk["names"]["stream"], OTHER_REGION),
    ]:
        assert moto.exists(name, region), f"{name} in {region} was deleted"

    again = run(stackgen, moto, "sweep", str(spec), "--older-than", "0s")
    assert again.returncode == EXIT_OK, again.stdout + again.stderr
    assert moto.listing(regions) == after
