#!/usr/bin/env node
// Validate a Teams app manifest against the official JSON schema shipped in @microsoft/app-manifest.
//
//   node manifest/validate.mjs path/to/manifest.json
//   node manifest/validate.mjs path/to/app-package.zip     (manifest.json read from the zip root, in memory)
//
// The schema is chosen from the manifest's "$schema" URL and loaded from the installed package
// (node_modules/@microsoft/app-manifest/build/json-schemas/...), never fetched over the network, then checked
// with the package's own AppManifestUtils.validateAgainstSchema. For a zip, the icons named in "icons" must also
// be present at the zip root.
//
// Exit status: 0 valid · 1 invalid (errors listed on stderr) · 2 usage error, unreadable input or missing deps.
// Install the dependencies first:  npm ci --prefix manifest --no-audit --no-fund

import { readFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { inflateRawSync } from "node:zlib";

const require = createRequire(import.meta.url);
const PACKAGE = "@microsoft/app-manifest";

class UsageError extends Error {}

function loadPackage() {
  let entry;
  try {
    entry = require.resolve(PACKAGE);
  } catch {
    throw new UsageError(`${PACKAGE} is not installed; run: npm ci --prefix manifest --no-audit --no-fund`);
  }
  const pkgDir = path.resolve(path.dirname(entry), "..");
  const version = JSON.parse(readFileSync(path.join(pkgDir, "package.json"), "utf8")).version;
  let api;
  try {
    api = require(PACKAGE);
  } catch (err) {
    throw new UsageError(`cannot load ${PACKAGE}@${version}: ${err.message} (run: npm ci --prefix manifest)`);
  }
  return { api, version, schemasDir: path.join(path.dirname(entry), "json-schemas") };
}

// --- minimal zip reader (stored and deflated entries; enough for app packages) ---------------------------
function readZipEntries(buf) {
  const EOCD = 0x06054b50;
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new UsageError("not a zip file (no end-of-central-directory record)");
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const entries = new Map();
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new UsageError("corrupt zip central directory");
    const method = buf.readUInt16LE(p + 10);
    const compressedSize = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const localOffset = buf.readUInt32LE(p + 42);
    const name = buf.toString("utf8", p + 46, p + 46 + nameLen);
    entries.set(name, { method, compressedSize, localOffset });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return {
    names: [...entries.keys()],
    read(name) {
      const e = entries.get(name);
      if (!e) return undefined;
      const lh = e.localOffset;
      if (buf.readUInt32LE(lh) !== 0x04034b50) throw new UsageError(`corrupt zip local header for ${name}`);
      const start = lh + 30 + buf.readUInt16LE(lh + 26) + buf.readUInt16LE(lh + 28);
      const data = buf.subarray(start, start + e.compressedSize);
      if (e.method === 0) return data;
      if (e.method === 8) return inflateRawSync(data);
      throw new UsageError(`unsupported zip compression method ${e.method} for ${name}`);
    },
  };
}

function parseJson(bytes, label) {
  let text = bytes.toString("utf8");
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${label} is not valid JSON: ${err.message}`);
  }
}

function readInput(file) {
  if (!existsSync(file)) throw new UsageError(`no such file: ${file}`);
  const buf = readFileSync(file);
  if (buf.length >= 4 && buf.readUInt32LE(0) === 0x04034b50) {
    const zip = readZipEntries(buf);
    const bytes = zip.read("manifest.json");
    if (!bytes) throw new UsageError(`${file}: no manifest.json at the zip root (entries: ${zip.names.join(", ")})`);
    return { manifest: parseJson(bytes, `${file}!manifest.json`), zip, label: `${file}!manifest.json` };
  }
  return { manifest: parseJson(buf, file), zip: undefined, label: file };
}

// Map the official schema URL onto the copy inside the package, e.g.
// https://developer.microsoft.com/json-schemas/teams/v1.30/MicrosoftTeams.schema.json
//   -> <pkg>/build/json-schemas/teams/v1.30/MicrosoftTeams.schema.json
function localSchemaPath(schemaUrl, schemasDir, pkgVersion) {
  if (typeof schemaUrl !== "string" || !schemaUrl) {
    throw new UsageError('manifest has no "$schema" URL, so the schema version cannot be chosen');
  }
  let url;
  try {
    url = new URL(schemaUrl);
  } catch {
    throw new UsageError(`"$schema" is not a URL: ${schemaUrl}`);
  }
  const m = url.pathname.match(/^(?:\/[a-z]{2}(?:-[a-z]{2})?)?\/json-schemas\/(teams\/[^/]+\/[^/]+\.json)$/i);
  if (url.hostname !== "developer.microsoft.com" || !m) {
    throw new UsageError(`"$schema" is not an official Teams manifest schema URL: ${schemaUrl}`);
  }
  const file = path.join(schemasDir, ...m[1].split("/"));
  if (!existsSync(file)) {
    throw new UsageError(`schema ${m[1]} is not shipped by ${PACKAGE}@${pkgVersion}`);
  }
  return { file, name: m[1] };
}

async function main(argv) {
  if (argv.length !== 1 || argv[0] === "-h" || argv[0] === "--help") {
    throw new UsageError("usage: node manifest/validate.mjs MANIFEST.json|APP-PACKAGE.zip");
  }
  const { api, version, schemasDir } = loadPackage();
  const { manifest, zip, label } = readInput(argv[0]);
  if (manifest === null || typeof manifest !== "object" || Array.isArray(manifest)) {
    throw new UsageError(`${label}: top-level value must be a JSON object`);
  }
  const schemaRef = localSchemaPath(manifest.$schema, schemasDir, version);
  // Same clean-up the package applies to schemas it fetches (stray \a and \v escapes in some versions).
  const schemaText = readFileSync(schemaRef.file, "utf8").replace(/\\a/g, "\\u0007").replace(/\\v/g, "\\u000b");
  const schema = JSON.parse(schemaText);

  const problems = await api.AppManifestUtils.validateAgainstSchema(manifest, schema);
  const errors = problems.map((p) => p.trim().replace(/^(?=[^/])/, "(root) "));
  if (zip) {
    for (const [kind, rel] of Object.entries(manifest.icons ?? {})) {
      if (typeof rel === "string" && !zip.names.includes(rel)) {
        errors.push(`/icons/${kind} file "${rel}" is not in the app package`);
      }
    }
  }
  if (errors.length) {
    const against = `${schemaRef.name} (${PACKAGE}@${version})`;
    process.stderr.write(`${label}: INVALID against ${against}, ${errors.length} error(s):\n`);
    for (const e of errors) process.stderr.write(`  - ${e}\n`);
    return 1;
  }
  process.stdout.write(`${label}: valid against ${schemaRef.name} (${PACKAGE}@${version})\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`validate.mjs: ${err instanceof UsageError ? err.message : err.stack ?? err}\n`);
    process.exitCode = 2;
  },
);
