#!/usr/bin/env python3
"""stackgen's CI helper, written by `stackgen render` with the class's
pipeline (render writes it again: do not edit it here).

It lists the class's students from `.stackgen-manifest.json` (the
students' stacks only; the bootstrap stack is recorded apart), keeps the
ones `STUDENTS` names (index numbers, comma-separated; empty: all), and
gives the CI system one job per student:

  python3 .stackgen/ci.py github
      writes `batches=<JSON>` to $GITHUB_OUTPUT: batches of at most 256
      stacks, which stackgen-class.yml runs one after another;
  python3 .stackgen/ci.py gitlab MAX_PARALLEL CHILDREN
      writes stackgen-child-1.yml .. stackgen-child-CHILDREN.yml, child
      pipelines of at most 500 jobs (the class's students in order, 500 to a
      child), each job in resource group `stackgen-slot-<i mod MAX_PARALLEL>`
      where i is the student's place in the class. ACTION (plan, apply or
      destroy) is written into each child: pipeline variables do not reach
      child pipelines.

Only the standard library: it runs on any runner with Python 3.8 or later.
"""

import json
import os
import sys

MANIFEST = ".stackgen-manifest.json"
GITHUB_BATCH = 256
GITLAB_CHILD = 500
ACTIONS = ("plan", "apply", "destroy")
# The Terraform each target's stacks are tested with (classic: the
# handout's 0.14; modern: >= 1.10 for the S3 lock file).
TERRAFORM = {"classic": "0.14.6", "modern": "1.15.5"}
IMAGE = "hashicorp/terraform:{}"


def fail(message):
    print("stackgen-ci: " + message, file=sys.stderr)
    sys.exit(2)


def class_stacks():
    """Every student's stack, in the class's order."""
    try:
        with open(MANIFEST, encoding="utf-8") as f:
            manifest = json.load(f)
    except (OSError, ValueError) as e:
        fail("cannot read {}: {} (run the pipeline from the class's output root)".format(MANIFEST, e))
    if manifest.get("kind") != "class":
        fail("{} is not a class's output".format(MANIFEST))
    return manifest.get("stacks", [])


def chosen(stacks):
    """The stacks STUDENTS names, each with its place in the class."""
    wanted = [w.strip() for w in os.environ.get("STUDENTS", "").split(",") if w.strip()]
    known = {s["index_no"] for s in stacks}
    unknown = [w for w in wanted if w not in known]
    if unknown:
        fail("no student with the index number(s) {} in this class".format(", ".join(unknown)))
    return [
        (place, s)
        for place, s in enumerate(stacks)
        if not wanted or s["index_no"] in wanted
    ]


def entry(place, stack):
    return {
        "place": place,
        "dir": stack["dir"],
        "index_no": stack["index_no"],
        "region": stack["region"],
        "target": stack["target"],
        "terraform": TERRAFORM[stack["target"]],
    }


def github():
    picked = [entry(p, s) for p, s in chosen(class_stacks())]
    batches = [
        {"batch": n + 1, "stacks": picked[i : i + GITHUB_BATCH]}
        for n, i in enumerate(range(0, len(picked), GITHUB_BATCH))
    ]
    line = "batches=" + json.dumps(batches, separators=(",", ":"))
    print("stackgen-ci: {} students in {} batch(es)".format(len(picked), len(batches)))
    with open(os.environ["GITHUB_OUTPUT"], "a", encoding="utf-8") as out:
        out.write(line + "\n")


def gitlab(max_parallel, children):
    action = os.environ.get("ACTION", "")
    if action not in ACTIONS:
        fail("ACTION is {!r}; it must be plan, apply or destroy".format(action))
    stacks = class_stacks()
    picked = chosen(stacks)
    if len(stacks) > children * GITLAB_CHILD:
        fail("the class has {} students, more than this pipeline's {} child pipelines hold: render the class again".format(len(stacks), children))
    variables = {"ACTION": action}
    role = os.environ.get("STACKGEN_ROLE_ARN", "")
    if role:
        variables["STACKGEN_ROLE_ARN"] = role
    for child in range(1, children + 1):
        low, high = (child - 1) * GITLAB_CHILD, child * GITLAB_CHILD
        pipeline = {"variables": variables, "stages": ["stackgen"]}
        for place, stack in picked:
            if not low <= place < high:
                continue
            e = entry(place, stack)
            pipeline["student-" + e["dir"]] = {
                "stage": "stackgen",
                "image": {"name": IMAGE.format(e["terraform"]), "entrypoint": [""]},
                "resource_group": "stackgen-slot-{}".format(place % max_parallel),
                "id_tokens": {"AWS_ID_TOKEN": {"aud": "sts.amazonaws.com"}},
                "variables": {"STACK_DIR": e["dir"], "AWS_DEFAULT_REGION": e["region"]},
                "script": ["sh .stackgen/job.sh"],
            }
        if len(pipeline) == 2:
            # A child pipeline needs a job; nobody of this part was chosen.
            pipeline["nothing-to-do"] = {
                "stage": "stackgen",
                "script": ["echo 'stackgen: no student of this child pipeline was chosen'"],
            }
        name = "stackgen-child-{}.yml".format(child)
        with open(name, "w", encoding="utf-8") as out:
            # JSON is YAML: every value a quoted string.
            json.dump(pipeline, out, indent=2, sort_keys=False)
            out.write("\n")
        print("stackgen-ci: {}: {} job(s), ACTION={}".format(name, len(pipeline) - 2, action))


def main(argv):
    if argv[1:2] == ["github"] and len(argv) == 2:
        github()
    elif argv[1:2] == ["gitlab"] and len(argv) == 4:
        gitlab(int(argv[2]), int(argv[3]))
    else:
        fail("usage: ci.py github | ci.py gitlab MAX_PARALLEL CHILDREN")


if __name__ == "__main__":
    main(sys.argv)
