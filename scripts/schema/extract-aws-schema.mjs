#!/usr/bin/env node
// Extracts the Terraform schema of selected AWS provider types from the
// prebuilt CDKTF bindings, for checking the `modern` target's stacks
// (Terraform >= 1.5, hashicorp/aws ~> 6.0) without a provider binary.
//
// Usage (from anywhere; needs node >= 18, npm and tar):
//   node scripts/schema/extract-aws-schema.mjs            # writes the schema file
//   node scripts/schema/extract-aws-schema.mjs --check    # exit 1 if it is stale
// Options: --config FILE (default scripts/schema/aws-types.json),
//          --out FILE (default tests/schema/aws-<provider_version>.json),
//          --package-dir DIR (an unpacked package; skips the download),
//          --cache-dir DIR (default $XDG_CACHE_HOME or ~/.cache, + /stackgen-schema).
//
// The config file names the npm package, its version and integrity (the
// tarball's sha512, checked after `npm pack`), the provider version it was
// generated from, and the resource and data source types to extract. To
// check a new type, add it there and run this script again.
//
// WHERE THE FACTS COME FROM
//
// `@cdktn/provider-aws@25.7.0` (CDK Terrain, the continuation of CDKTF; the
// config file names the package) is generated from the provider's own schema
// (`terraform providers schema -json` of hashicorp/aws 6.66.0), as
// `@cdktf/provider-aws@21.22.1` was from 6.25.0; this script reads both
// layouts (`cdktf.`/`cdktn.` namespaces, `X.tfResourceType = ...` or a
// static class field, `this._x = new ...` or a class field). It ships two
// descriptions of every type: `.jsii` (JSON: the TypeScript API) and
// `lib/<module>/index.js` (the compiled code that writes Terraform config).
// This script reads both and cross-checks them; any disagreement stops it.
//
// 1. Which class is which Terraform type. Each resource or data source class
//    in `.jsii` has the doc summary "Represents a {@link .../docs/resources/
//    <name> aws_<name>}" (".../docs/data-sources/..." for data sources; the
//    provider class links to ".../docs aws"). Its JavaScript module
//    (`locationInModule` src/X/index.ts -> lib/X/index.js) sets
//    `<Class>.tfResourceType = "aws_<name>"` and, in the constructor,
//    `providerVersion: '<provider_version>'`; both are checked.
//
// 2. Terraform names, and block vs attribute. The class's
//    `synthesizeHclAttributes()` (and, for each nested block, the function
//    `<struct>ToHclTerraform(struct)`) lists every argument that can be set,
//    keyed by its Terraform name, each with `isBlock: true|false`, `type`
//    ("simple", "list", "set", "map", or "struct" for a single nested
//    block) and `storageClassType` ("string", "stringList", "stringMap", ...,
//    or a generated class name for nested objects). That is what CDKTF
//    writes into the Terraform config, so the key is the argument's name and
//    isBlock says whether it is written `name { ... }` or `name = ...`.
//    Each entry's `value` reads one property (`this._<prop>` or
//    `struct.<prop>`) of the config interface in `.jsii`; that property's
//    doc link ends in `#<terraform name>`, which must equal the key.
//
// 3. Required vs optional. The config interface (`<Class>Config`, and the
//    struct of each nested block) marks each property `optional: true`, or
//    not at all for a required one (Terraform's `required`; for a block,
//    MinItems >= 1, recorded here as min_items 1).
//
// 4. Nesting and max items. A block's `type` is "list" or "set" (its
//    nesting mode) or "struct" (nesting mode single, e.g. `timeouts`). CDKTF
//    types a list/set block with MaxItems 1 as one struct instead of an
//    array of structs, so a block whose `.jsii` property type is a bare
//    struct gets max_items 1. Other limits (MaxItems 2, 10, ...) are not
//    visible: no max_items then means "not known to be 1".
//
// 5. Read-only (computed-only) attributes. They are not in the config
//    interface, so they are not in synthesizeHclAttributes. The generator
//    writes, before each of their getters (or, for nested objects, before the
//    constructor line that creates their list class), a comment
//    `// <terraform name> - computed: true, optional: false, required: false`
//    in the resource class, and in `<struct>OutputReference` for nested
//    blocks. The getter names the type: getStringAttribute('x') is a string,
//    getNumberListAttribute a list(number), `new <X>List(this, "x", wrapsSet)`
//    a list (or set, when wrapsSet is true) of objects whose own read-only
//    attributes are in `<X>OutputReference`. Attributes that are optional AND
//    computed (aws_s3_bucket.bucket) get no such comment; they are plain
//    optional arguments here.
//
// 6. Provider configuration: class AwsProvider (lib/provider) the same way.
//    `alias` is left out: it is Terraform's meta-argument, which CDKTF
//    happens to keep in the provider's config.
//
// Not available from the bindings: deprecation (a deprecated argument looks
// like any other; the config file lists the ones that matter here, each
// with where it was read, and they are copied in as `deprecated`), value
// validation (enums, ranges, ConflictsWith), MaxItems other than 1, any
// MaxItems in the provider block (CDKTF types all provider blocks as
// arrays), optional+computed on plain attributes.
//
// Cross-check against a real schema: `terraform providers schema -json` of
// provider 3.39.0 (the classic target's, from the test tools) and this
// file agree, for every argument present in both, on required/optional/
// read-only for 582 of 593 attributes, nesting for 143 of 149 blocks, max-1
// for 148 of 149, min-1 for all, and on 525 of 526 attribute types. The
// differences are changes between the versions, not misreadings (e.g.
// aws_s3_bucket `arn` optional+computed in 3.x and read-only since 4.0;
// `logging` a set in 3.x and a max-1 list since 4.x); list them with
// scripts/schema/compare-with-tf-schema.py.
//
// Evidence, checked by `selfCheck()` below on every run: aws_s3_bucket
// `bucket` optional and `arn` read-only; aws_kinesis_firehose_delivery_stream
// `destination` and `name` required, `extended_s3_configuration` a list block
// with max_items 1 holding `buffering_size` and `buffering_interval`;
// aws_lambda_function `function_name` and `role` required.
//
// Output: sorted keys, two-space indent, objects of plain values on one line,
// so that the file is deterministic and diffs read well.

import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, "..", "..");

// --- command line --------------------------------------------------------------

function parseArgs(argv) {
  const opts = { check: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) die(`${a} needs a value`);
      return argv[++i];
    };
    if (a === "--check") opts.check = true;
    else if (a === "--config") opts.config = value();
    else if (a === "--out") opts.out = value();
    else if (a === "--package-dir") opts.packageDir = value();
    else if (a === "--cache-dir") opts.cacheDir = value();
    else if (a === "-h" || a === "--help") {
      console.log(fs.readFileSync(fileURLToPath(import.meta.url), "utf8").split("\n").slice(1, 16).join("\n"));
      process.exit(0);
    } else die(`unknown argument ${a}`);
  }
  return opts;
}

function die(message) {
  console.error(`extract-aws-schema: ${message}`);
  process.exit(2);
}

// Collects every inconsistency, so one run shows them all; any one fails it.
const problems = [];
function problem(message) {
  problems.push(message);
}

// --- the package -----------------------------------------------------------------

function sriOf(file) {
  return "sha512-" + createHash("sha512").update(fs.readFileSync(file)).digest("base64");
}

/** Downloads (npm pack) and unpacks the package once into the cache; returns
 * the directory holding `.jsii` and `lib/`. */
function fetchPackage(cfg, cacheDir) {
  const slug = `${cfg.package.replace(/^@/, "").replace(/\//g, "-")}-${cfg.version}`;
  const dest = path.join(cacheDir, slug);
  const stamp = path.join(dest, ".integrity");
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, "utf8").trim() === cfg.integrity) {
    return path.join(dest, "package");
  }
  fs.mkdirSync(cacheDir, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(cacheDir, `.${slug}-`));
  try {
    console.error(`downloading ${cfg.package}@${cfg.version} (about 40 MB) ...`);
    const out = execFileSync(
      "npm",
      ["pack", `${cfg.package}@${cfg.version}`, "--json", "--ignore-scripts", "--pack-destination", tmp],
      { cwd: tmp, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 1 << 28 },
    );
    const info = JSON.parse(out)[0];
    const tarball = path.join(tmp, info.filename.replace(/^@/, "").replace(/\//g, "-"));
    const got = sriOf(fs.existsSync(tarball) ? tarball : path.join(tmp, path.basename(info.filename)));
    if (got !== cfg.integrity) die(`integrity mismatch: config says ${cfg.integrity}, tarball is ${got}`);
    execFileSync("tar", ["-xzf", tarball, "-C", tmp, "package/.jsii", "package/lib", "package/package.json"]);
    fs.rmSync(tarball);
    fs.writeFileSync(path.join(tmp, ".integrity"), cfg.integrity + "\n");
    fs.rmSync(dest, { recursive: true, force: true });
    fs.renameSync(tmp, dest);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return path.join(dest, "package");
}

// --- the compiled JavaScript ------------------------------------------------------

const moduleCache = new Map();

/** Top-level `function NAME(` and `class NAME ` units of a generated module,
 * by name. The generated code puts both at column 0 and closes them with a
 * `}` alone at column 0. */
function jsModule(pkgDir, tsFile) {
  const js = path.join(pkgDir, tsFile.replace(/^src\//, "lib/").replace(/\.ts$/, ".js"));
  if (moduleCache.has(js)) return moduleCache.get(js);
  const lines = fs.readFileSync(js, "utf8").split("\n");
  const units = new Map();
  for (let i = 0; i < lines.length; i++) {
    const m = /^(?:function|class) (\w+)[ (]/.exec(lines[i]);
    if (!m) continue;
    let j = i + 1;
    while (j < lines.length && lines[j] !== "}") j++;
    units.set(m[1], lines.slice(i, j + 1).join("\n"));
    i = j;
  }
  const mod = { file: path.relative(pkgDir, js), text: lines.join("\n"), units };
  moduleCache.set(js, mod);
  return mod;
}

/** The entries of an `attrs = { tf_name: { value, isBlock, type,
 * storageClassType }, ... }` literal (synthesizeHclAttributes or a
 * `...ToHclTerraform` function). */
function hclEntries(code, where) {
  const start = code.indexOf("const attrs = {");
  if (start < 0) {
    // A struct with no settable arguments (only read-only ones) has none.
    if (/return \{\s*\};?/.test(code) || !code.includes("attrs")) return [];
    problem(`${where}: no attrs literal`);
    return [];
  }
  const end = code.indexOf("// remove undefined attributes", start);
  const body = code.slice(start, end);
  const re =
    /^\s*(\w+): \{\s*\n\s*value: (.*),\s*\n\s*isBlock: (true|false),\s*\n\s*type: "(\w+)",\s*\n\s*storageClassType: "(\w+)",\s*\n\s*\},?$/gm;
  const entries = [];
  for (const m of body.matchAll(re)) {
    const prop = /(?:this\._|struct\.)(\w+)/.exec(m[2]);
    const fn = /\b([a-z]\w*ToHclTerraform)\b/.exec(m[2].replace(/cdkt[fn]\.\w+/g, ""));
    entries.push({
      tf: m[1],
      prop: prop ? prop[1] : null,
      fn: fn ? fn[1] : null,
      isBlock: m[3] === "true",
      type: m[4],
      storage: m[5],
    });
  }
  const keys = (body.match(/^\s*\w+: \{\s*$/gm) || []).length;
  if (keys !== entries.length) problem(`${where}: ${keys} keys but ${entries.length} entries parsed`);
  return entries;
}

const GETTER_TYPES = {
  getStringAttribute: "string",
  getNumberAttribute: "number",
  getBooleanAttribute: "bool",
  getListAttribute: "list(string)",
  getNumberListAttribute: "list(number)",
  getStringMapAttribute: "map(string)",
  getNumberMapAttribute: "map(number)",
  getBooleanMapAttribute: "map(bool)",
  getAnyMapAttribute: "map(any)",
  interpolationForAttribute: "any",
};

/** Read-only attributes declared in one class unit (see rule 5). */
function computedOnly(mod, className, where, depth = 0) {
  const code = mod.units.get(className);
  if (code === undefined) return null;
  const out = {};
  const lines = code.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const c = /^\s*\/\/ (\w+) - computed: (true|false), optional: (true|false), required: (true|false)$/.exec(lines[i]);
    if (!c || c[2] !== "true" || c[3] !== "false" || c[4] !== "false") continue;
    const tf = c[1];
    const next = lines[i + 1];
    let type = null;
    const getter = /^\s*get (\w+)\(\) \{$/.exec(next);
    if (getter) {
      const ret = lines[i + 2];
      const g = /(\w+)\('([\w-]+)'\)/.exec(ret.replace(/cdkt[fn]\.Fn\.\w+\(/, ""));
      if (g && GETTER_TYPES[g[1]]) {
        if (g[2] !== tf) problem(`${where}: comment names ${tf}, getter reads ${g[2]}`);
        type = GETTER_TYPES[g[1]];
        // `cdktf.Fn.tolist(this.getListAttribute('x'))` reads a set.
        if (/cdkt[fn]\.Fn\.tolist\(/.test(ret)) type = type.replace(/^list\(/, "set(");
      } else if (/return this\._(\w+);/.test(ret)) {
        type = complexType(mod, code, /return this\._(\w+);/.exec(ret)[1], tf, where, depth);
      }
    } else {
      const field = /^\s*(?:this\.)?_(\w+) = new \w+\(this, "([\w-]+)"/.exec(next);
      if (field) {
        if (field[2] !== tf) problem(`${where}: comment names ${tf}, field reads ${field[2]}`);
        type = complexType(mod, code, field[1], tf, where, depth);
      }
    }
    if (type === null) {
      problem(`${where}.${tf}: cannot tell the type of a read-only attribute from: ${next.trim()}`);
      type = "any";
    }
    out[tf] = { mode: "computed", type };
  }
  return out;
}

/** The type of a read-only nested object (`this._x = new FooList(this, "x",
 * wrapsSet)`), as `list(object({a=string, ...}))`. */
function complexType(mod, classCode, field, tf, where, depth) {
  const m = new RegExp(`(?:this\\.)?_${field} = new (\\w+)\\(this, "${tf}"(?:, (true|false))?\\)`).exec(classCode);
  if (!m) return null;
  const cls = m[1];
  let wrap;
  let element;
  if (cls.endsWith("OutputReference")) {
    wrap = (t) => t;
    element = cls;
  } else if (cls.endsWith("List")) {
    wrap = (t) => `${m[2] === "true" ? "set" : "list"}(${t})`;
    element = cls.slice(0, -4) + "OutputReference";
  } else if (cls.endsWith("Map")) {
    wrap = (t) => `map(${t})`;
    element = cls.slice(0, -3) + "OutputReference";
  } else return null;
  if (depth > 8) return wrap("object");
  const inner = computedOnly(mod, element, `${where}.${tf}`, depth + 1);
  if (inner === null) return wrap("object");
  const fields = Object.keys(inner)
    .sort()
    .map((k) => `${k}=${inner[k].type}`);
  return wrap(`object({${fields.join(", ")}})`);
}

// --- .jsii -------------------------------------------------------------------------

const SCALARS = { string: "string", number: "number", boolean: "bool", any: "any" };

/** An attribute's Terraform type from its synthesizeHclAttributes entry. */
function attrType(e, where) {
  const m = /^(string|number|boolean|any)((?:List|Map)*)$/.exec(e.storage);
  if (m) {
    let t = SCALARS[m[1]];
    const wrappers = m[2].match(/List|Map/g) || [];
    // The outermost wrapper is the entry's own `type` (a "List" may be a set).
    wrappers.forEach((w, i) => {
      const outer = i === wrappers.length - 1;
      t = w === "Map" ? `map(${t})` : `${outer && e.type === "set" ? "set" : "list"}(${t})`;
    });
    if (wrappers.length === 0 && e.type !== "simple") problem(`${where}: ${e.type} of ${e.storage}`);
    return t;
  }
  // Nested objects written as attributes (`x = { ... }`, `x = [{ ... }]`).
  return { list: "list(object)", set: "set(object)", map: "map(object)", struct: "object" }[e.type] ?? `? ${e.type}/${e.storage}`;
}

function docAnchor(prop) {
  const text = `${prop.docs?.summary ?? ""} ${prop.docs?.remarks ?? ""}`;
  const m = /\{@link \S+#([\w-]+) /.exec(text);
  return m ? m[1] : null;
}

/** The struct fqn a block property holds, and whether it is held bare (one
 * struct, i.e. MaxItems 1) or in an array. */
function structOf(type) {
  if (type.fqn) return { fqn: type.fqn, bare: true };
  const parts = type.union ? type.union.types : [type];
  for (const t of parts) {
    if (t.collection?.elementtype?.fqn) return { fqn: t.collection.elementtype.fqn, bare: false };
    if (t.fqn && t.fqn !== "cdktf.IResolvable" && t.fqn !== "cdktn.IResolvable") return { fqn: t.fqn, bare: true };
  }
  return null;
}

function allProperties(types, fqn) {
  const t = types[fqn];
  if (!t) return [];
  const own = t.properties ?? [];
  const inherited = (t.interfaces ?? []).filter((i) => types[i]).flatMap((i) => allProperties(types, i));
  return [...own, ...inherited];
}

// --- one block (resource, data source, provider or nested block) ---------------------

function blockSchema(ctx, entries, structFqn, outputRefClass, where) {
  const { types, mod } = ctx;
  const props = new Map(allProperties(types, structFqn).map((p) => [p.name, p]));
  const attributes = {};
  const blocks = {};
  for (const e of entries) {
    if (ctx.skip.has(`${where}.${e.tf}`)) continue;
    const p = props.get(e.prop);
    if (!p) {
      problem(`${where}.${e.tf}: no property ${e.prop} in ${structFqn}`);
      continue;
    }
    ctx.stats.names++;
    const anchor = docAnchor(p);
    if (anchor === e.tf) ctx.stats.anchors++;
    else if (anchor === null) ctx.stats.noAnchor++;
    else problem(`${where}.${e.tf}: property ${e.prop} links to #${anchor}`);
    const required = !p.optional;
    if (e.isBlock) {
      const s = structOf(p.type);
      if (!s) {
        problem(`${where}.${e.tf}: block without a struct type`);
        continue;
      }
      const structName = s.fqn.split(".").pop();
      const fn = e.fn ?? structName[0].toLowerCase() + structName.slice(1) + "ToHclTerraform";
      const code = mod.units.get(fn);
      if (code === undefined) {
        problem(`${where}.${e.tf}: no function ${fn} in ${mod.file}`);
        continue;
      }
      const nesting = e.type === "struct" ? "single" : e.type;
      if (!["list", "set", "single"].includes(nesting)) problem(`${where}.${e.tf}: nesting ${e.type}`);
      const block = {
        nesting,
        min_items: required ? 1 : 0,
        ...blockSchema(ctx, hclEntries(code, `${where}.${e.tf}`), s.fqn, `${structName}OutputReference`, `${where}.${e.tf}`),
      };
      if (s.bare && nesting !== "single") block.max_items = 1;
      if (!s.bare && nesting === "single") problem(`${where}.${e.tf}: single block held in an array`);
      blocks[e.tf] = block;
      ctx.stats.blocks++;
    } else {
      attributes[e.tf] = { mode: required ? "required" : "optional", type: attrType(e, `${where}.${e.tf}`) };
      ctx.stats.attributes++;
    }
  }
  const computed = computedOnly(mod, outputRefClass, where);
  if (computed === null) {
    // Every nested block of a resource or data source has an OutputReference
    // class; the provider's blocks have none (nothing in them is read-only).
    if (!where.startsWith("provider")) problem(`${where}: no class ${outputRefClass} in ${mod.file}`);
  } else {
    for (const [tf, a] of Object.entries(computed)) {
      if (attributes[tf] || blocks[tf]) problem(`${where}.${tf}: both settable and read-only`);
      attributes[tf] = a;
      ctx.stats.computed++;
    }
  }
  const out = {};
  if (Object.keys(attributes).length) out.attributes = attributes;
  if (Object.keys(blocks).length) out.blocks = blocks;
  return out;
}

// --- the provider's classes -------------------------------------------------------------

const REPRESENTS = /^Represents a \{@link \S+?\/docs(?:\/(resources|data-sources)\/\w+)? (\w+)\}/;

function indexClasses(types) {
  const byKind = { resources: new Map(), "data-sources": new Map(), provider: new Map() };
  for (const t of Object.values(types)) {
    if (t.kind !== "class") continue;
    const m = REPRESENTS.exec(t.docs?.summary ?? "");
    if (!m) continue;
    const kind = m[1] ?? "provider";
    if (byKind[kind].has(m[2])) problem(`two classes represent ${kind} ${m[2]}`);
    byKind[kind].set(m[2], t);
  }
  return byKind;
}

function typeSchema(pkgDir, types, cls, tfType, cfg, stats) {
  const where = tfType;
  const mod = jsModule(pkgDir, cls.locationInModule.filename);
  const code = mod.units.get(cls.name);
  if (code === undefined) {
    problem(`${where}: no class ${cls.name} in ${mod.file}`);
    return {};
  }
  const isProvider = tfType === "provider";
  if (!isProvider) {
    const t = new RegExp(`^(?:${cls.name}\\.|    static )tfResourceType = "(\\w+)";$`, "m").exec(mod.text);
    if (!t || t[1] !== tfType) problem(`${where}: ${cls.name}.tfResourceType is ${t?.[1]}`);
  }
  const v = /providerVersion: '([^']+)'/.exec(code);
  if (!v || v[1] !== cfg.provider_version) problem(`${where}: generated from provider ${v?.[1]}, config says ${cfg.provider_version}`);
  const configFqn = cls.initializer?.parameters?.find((p) => p.name === "config")?.type?.fqn;
  if (!configFqn) {
    problem(`${where}: ${cls.name} has no config parameter`);
    return {};
  }
  const method = code.indexOf("synthesizeHclAttributes() {");
  if (method < 0) {
    problem(`${where}: no synthesizeHclAttributes`);
    return {};
  }
  const ctx = { types, mod, stats, skip: new Set(isProvider ? ["provider.alias"] : []) };
  return blockSchema(ctx, hclEntries(code.slice(method), where), configFqn, cls.name, isProvider ? "provider" : where);
}

// --- deprecations (not in the package; listed by hand in the config) ----------------------

/** Marks `deprecated: "<message>"` on each listed argument or block; a path
 * is dotted through blocks (`object_lock_configuration.rule`). */
function applyDeprecations(schema, deprecated) {
  for (const key of ["resources", "data_sources"]) {
    for (const [tfType, paths] of Object.entries(deprecated[key] ?? {})) {
      for (const [dotted, message] of Object.entries(paths)) {
        let node = schema[key][tfType];
        let target = null;
        for (const part of dotted.split(".")) {
          target = node?.attributes?.[part] ?? node?.blocks?.[part] ?? null;
          node = target;
        }
        if (!target) problem(`deprecated: ${key} ${tfType} has no ${dotted}`);
        else target.deprecated = message;
      }
    }
  }
}

// --- self check: the rules on types whose schema is well known ----------------------------

function selfCheck(schema) {
  const expect = (what, ok) => {
    if (!ok) problem(`self check failed: ${what}`);
  };
  const r = schema.resources;
  const mode = (t, a) => r[t]?.attributes?.[a]?.mode;
  if (r.aws_s3_bucket) {
    expect("aws_s3_bucket.bucket optional", mode("aws_s3_bucket", "bucket") === "optional");
    expect("aws_s3_bucket.arn read-only", mode("aws_s3_bucket", "arn") === "computed");
  }
  const fh = r.aws_kinesis_firehose_delivery_stream;
  if (fh) {
    expect("firehose destination required", mode("aws_kinesis_firehose_delivery_stream", "destination") === "required");
    expect("firehose name required", mode("aws_kinesis_firehose_delivery_stream", "name") === "required");
    const x = fh.blocks?.extended_s3_configuration;
    expect("firehose extended_s3_configuration a max-1 list block", x?.nesting === "list" && x?.max_items === 1);
    expect("extended_s3_configuration.buffering_size", x?.attributes?.buffering_size?.type === "number");
    expect("extended_s3_configuration.buffering_interval", x?.attributes?.buffering_interval?.type === "number");
    expect("extended_s3_configuration.bucket_arn required", x?.attributes?.bucket_arn?.mode === "required");
  }
  if (r.aws_lambda_function) {
    expect("lambda function_name required", mode("aws_lambda_function", "function_name") === "required");
    expect("lambda role required", mode("aws_lambda_function", "role") === "required");
    expect("lambda arn read-only", mode("aws_lambda_function", "arn") === "computed");
  }
}

// --- stable output -------------------------------------------------------------------------

function isPlain(v) {
  return v === null || typeof v !== "object";
}

function stable(v, indent = "") {
  if (isPlain(v)) return JSON.stringify(v);
  const inner = indent + "  ";
  if (Array.isArray(v)) {
    if (v.length === 0) return "[]";
    return `[\n${v.map((x) => inner + stable(x, inner)).join(",\n")}\n${indent}]`;
  }
  const keys = Object.keys(v).sort();
  if (keys.length === 0) return "{}";
  if (keys.every((k) => isPlain(v[k]))) return `{${keys.map((k) => `${JSON.stringify(k)}: ${JSON.stringify(v[k])}`).join(", ")}}`;
  return `{\n${keys.map((k) => `${inner}${JSON.stringify(k)}: ${stable(v[k], inner)}`).join(",\n")}\n${indent}}`;
}

// --- main ------------------------------------------------------------------------------------

function main() {
  const started = process.hrtime.bigint();
  const opts = parseArgs(process.argv.slice(2));
  const configPath = path.resolve(opts.config ?? path.join(HERE, "aws-types.json"));
  const cfg = JSON.parse(fs.readFileSync(configPath, "utf8"));
  const out = path.resolve(opts.out ?? path.join(REPO, "tests", "schema", `aws-${cfg.provider_version}.json`));
  const cacheDir = path.resolve(
    opts.cacheDir ?? path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"), "stackgen-schema"),
  );
  const pkgDir = opts.packageDir ? path.resolve(opts.packageDir) : fetchPackage(cfg, cacheDir);
  const fetched = process.hrtime.bigint();

  const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, "package.json"), "utf8"));
  if (pkg.name !== cfg.package || pkg.version !== cfg.version) {
    die(`${pkgDir} holds ${pkg.name}@${pkg.version}, config says ${cfg.package}@${cfg.version}`);
  }
  const { types } = JSON.parse(fs.readFileSync(path.join(pkgDir, ".jsii"), "utf8"));
  const classes = indexClasses(types);
  const stats = { names: 0, anchors: 0, noAnchor: 0, attributes: 0, blocks: 0, computed: 0 };

  const schema = {
    format: "stackgen provider schema 1",
    source: {
      generated_by: "scripts/schema/extract-aws-schema.mjs",
      package: `${cfg.package}@${cfg.version}`,
      integrity: cfg.integrity,
      provider: cfg.provider_source,
      provider_version: cfg.provider_version,
    },
    resources: {},
    data_sources: {},
    all_resource_types: [...classes.resources.keys()].sort(),
    all_data_source_types: [...classes["data-sources"].keys()].sort(),
  };
  for (const [key, kind] of [
    ["resources", "resources"],
    ["data_sources", "data-sources"],
  ]) {
    for (const tfType of [...new Set(cfg[key] ?? [])].sort()) {
      const cls = classes[kind].get(tfType);
      if (!cls) {
        problem(`${kind} ${tfType}: not in ${cfg.package}@${cfg.version}`);
        continue;
      }
      schema[key][tfType] = typeSchema(pkgDir, types, cls, tfType, cfg, stats);
    }
  }
  if (cfg.provider_config) {
    const cls = classes.provider.get("aws");
    if (cls) schema.provider = typeSchema(pkgDir, types, cls, "provider", cfg, stats);
    else problem("no provider class");
  }
  applyDeprecations(schema, cfg.deprecated ?? {});
  selfCheck(schema);

  if (problems.length) {
    console.error(`extract-aws-schema: ${problems.length} problem(s):\n  ${problems.join("\n  ")}`);
    process.exit(1);
  }
  const text = stable(schema) + "\n";
  const seconds = (b) => (Number(b) / 1e9).toFixed(1);
  const summary =
    `${Object.keys(schema.resources).length} resources, ${Object.keys(schema.data_sources).length} data sources` +
    `${schema.provider ? " and the provider" : ""}: ${stats.attributes} settable attributes, ${stats.computed} read-only,` +
    ` ${stats.blocks} blocks; ${stats.anchors}/${stats.names} names confirmed by their doc link (${stats.noAnchor} have none);` +
    ` ${text.length} bytes; ${seconds(fetched - started)}s fetch, ${seconds(process.hrtime.bigint() - fetched)}s extract`;
  if (opts.check) {
    const old = fs.existsSync(out) ? fs.readFileSync(out, "utf8") : null;
    if (old !== text) {
      console.error(`${path.relative(REPO, out)} is stale: run node scripts/schema/extract-aws-schema.mjs`);
      process.exit(1);
    }
    console.error(`${path.relative(REPO, out)} is up to date (${summary})`);
    return;
  }
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const tmp = `${out}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, out);
  console.error(`wrote ${path.relative(REPO, out)}: ${summary}`);
}

main();
