#!/usr/bin/env node
// Interop check: reads WARC files with npm warcio (the reader browsertrix and
// ReplayWeb.page use), recomputes every digest with node's own crypto, and
// runs warcio's `cdx-index` over each file.
//
//   node tools/interop/check_warc.mjs [--no-cdx] FILE.warc[.gz]...
//
// stdout: one JSON object per record, with warcio index key names
//   {"file","offset","length","warc-type","warc-target-uri","http:status",
//    "block_digest","payload_digest","problems":[...]}
// block_digest / payload_digest: "ok", "absent", "mismatch", "unsupported",
//   "not-checked" (revisit payloads: the digest is the original's), and for
//   payloads only "ok-transfer-encoded" (the digest covers the chunked bytes
//   as sent, like wget writes it, not the entity body).
// stderr: one summary line per file and every file-level problem.
// Exit status: 0 when every record parsed with its mandatory fields, every
// digest matched, no bytes of a .gz file were left unread (warcio alone
// misses a torn final member) and cdx-index listed every record it should;
// 1 otherwise; 2 on usage errors.

import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { closeSync, createReadStream, existsSync, openSync, readSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let WARCParser;
try {
  ({ WARCParser } = await import("warcio"));
} catch (error) {
  console.error(
    `check_warc: cannot load npm warcio (${error.message}); ` +
      "run `npm ci` in tools/interop (tools/install-deps.sh does)",
  );
  process.exit(2);
}

const HERE = dirname(fileURLToPath(import.meta.url));
const WARCIO_CLI = join(HERE, "node_modules", "warcio", "dist", "cli.js");
const CRLFCRLF = Buffer.from("\r\n\r\n");

// Digest algorithms by label (WARC labels are case-insensitive; the compat
// spellings with a dash occur in the wild) and their raw sizes.
const ALGORITHMS = {
  sha1: ["sha1", 20],
  "sha-1": ["sha1", 20],
  sha256: ["sha256", 32],
  "sha-256": ["sha256", 32],
  sha512: ["sha512", 64],
  "sha-512": ["sha512", 64],
  md5: ["md5", 16],
};

function base32Decode(text) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of text.toUpperCase().replace(/=+$/, "")) {
    const index = alphabet.indexOf(ch);
    if (index < 0) return null;
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

// Parses "label:value" into {algorithm, expected bytes}; the value may be
// Base16, Base32 or Base64, told apart by length (as warcio check does).
function parseDigest(header) {
  const colon = header.indexOf(":");
  if (colon < 0) return null;
  const spec = ALGORITHMS[header.slice(0, colon).trim().toLowerCase()];
  if (!spec) return null;
  const [algorithm, size] = spec;
  const value = header.slice(colon + 1).trim();
  let bytes = null;
  if (value.length === size * 2 && /^[0-9a-fA-F]+$/.test(value)) {
    bytes = Buffer.from(value, "hex");
  } else if (value.replace(/=+$/, "").length === Math.ceil((size * 8) / 5)) {
    bytes = base32Decode(value);
  } else {
    bytes = Buffer.from(value, "base64");
  }
  if (!bytes || bytes.length !== size) return null;
  return { algorithm, expected: bytes };
}

function digestMatches(parsed, bytes) {
  const actual = createHash(parsed.algorithm).update(bytes).digest();
  return actual.equals(parsed.expected);
}

function checkDigest(header, bytes) {
  if (!header) return "absent";
  const parsed = parseDigest(header);
  if (!parsed) return "unsupported";
  return digestMatches(parsed, bytes) ? "ok" : "mismatch";
}

// Removes HTTP/1.1 chunked framing; null when the framing is broken.
function dechunk(raw) {
  const parts = [];
  let pos = 0;
  for (;;) {
    const eol = raw.indexOf("\r\n", pos);
    if (eol < 0) return null;
    const size = parseInt(raw.subarray(pos, eol).toString("latin1").split(";")[0], 16);
    if (Number.isNaN(size)) return null;
    pos = eol + 2;
    if (size === 0) return Buffer.concat(parts);
    if (pos + size + 2 > raw.length) return null;
    parts.push(raw.subarray(pos, pos + size));
    pos += size + 2;
  }
}

function isHttpBlock(contentType) {
  return (contentType || "").toLowerCase().startsWith("application/http");
}

function headerValue(headerText, name) {
  const wanted = name.toLowerCase() + ":";
  for (const line of headerText.split("\r\n")) {
    if (line.toLowerCase().startsWith(wanted)) return line.slice(wanted.length).trim();
  }
  return null;
}

// The payload digest of one record, recomputed from its raw block.
function checkPayload(record, block, problems) {
  const type = record.warcType;
  const header = record.warcPayloadDigest;
  if (type === "revisit") return header ? "not-checked" : "absent";
  if (!isHttpBlock(record.warcContentType)) return checkDigest(header, block);
  const end = block.indexOf(CRLFCRLF);
  if (end < 0) {
    problems.push("application/http block without the end of its HTTP headers");
    return header ? "mismatch" : "absent";
  }
  const body = block.subarray(end + 4);
  if (!header) return "absent";
  const parsed = parseDigest(header);
  if (!parsed) return "unsupported";
  const headerText = block.subarray(0, end).toString("latin1");
  const chunked = (headerValue(headerText, "Transfer-Encoding") || "").toLowerCase() === "chunked";
  if (chunked) {
    const entity = dechunk(body);
    if (entity && digestMatches(parsed, entity)) return "ok";
    if (digestMatches(parsed, body)) return "ok-transfer-encoded";
    if (!entity) problems.push("broken chunked framing");
    return "mismatch";
  }
  return digestMatches(parsed, body) ? "ok" : "mismatch";
}

// Runs `fn` with console.warn captured: warcio reports framing trouble
// ("Content-Length Too Small") only as a warning, which we count as failure.
async function withCapturedWarnings(warnings, fn) {
  const original = console.warn;
  console.warn = (...args) => warnings.push(args.join(" "));
  try {
    return await fn();
  } finally {
    console.warn = original;
  }
}

// Pass 1, as warcio users read: HTTP headers parsed, then the payload.
async function readWithHttp(file) {
  const records = [];
  const parser = new WARCParser(createReadStream(file));
  for await (const record of parser) {
    const payload = Buffer.from(await record.readFully(false));
    records.push({
      offset: parser.offset,
      length: parser.recordLength,
      status: record.httpHeaders ? Number(record.httpHeaders.statusCode) || null : null,
      payload,
    });
  }
  return records;
}

// Pass 2: every block raw, for the digests.
async function readRaw(file) {
  const records = [];
  const parser = new WARCParser(createReadStream(file), { parseHttp: false });
  for await (const record of parser) {
    const block = Buffer.from(await record.readFully(false));
    records.push({ offset: parser.offset, length: parser.recordLength, record, block });
  }
  return records;
}

// WARC 1.1 §5: fields every record must carry, and a known version line.
function missingMandatoryFields(record) {
  const problems = [];
  const version = record.warcHeaders.statusline;
  if (version !== "WARC/1.1" && version !== "WARC/1.0") problems.push(`bad version line ${JSON.stringify(version)}`);
  for (const name of ["WARC-Record-ID", "WARC-Type", "WARC-Date", "Content-Length"]) {
    if (!record.warcHeader(name)) problems.push(`no ${name}`);
  }
  return problems;
}

// Uncompressed lengths from warcio leave out the record trailer, so only
// gzip files can be checked for bytes after the last record.
function isGzip(file) {
  const magic = Buffer.alloc(2);
  const fd = openSync(file, "r");
  try {
    return readSync(fd, magic, 0, 2, 0) === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

function expectedInCdx(record) {
  const type = record.warcType;
  if (type === "response" || type === "revisit") return true;
  if (type === "resource" || type === "metadata") {
    return record.warcContentType !== "application/warc-fields";
  }
  return false;
}

// Offsets listed by `warcio cdx-index --format cdxj FILE`.
function cdxOffsets(file, fileProblems) {
  const run = spawnSync(process.execPath, [WARCIO_CLI, "cdx-index", "--format", "cdxj", file], {
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  if (run.status !== 0) {
    fileProblems.push(`cdx-index exited ${run.status}: ${run.stderr.trim()}`);
    return null;
  }
  if (run.stderr.trim()) fileProblems.push(`cdx-index warned: ${run.stderr.trim()}`);
  const offsets = new Set();
  for (const line of run.stdout.split("\n")) {
    if (!line) continue;
    const json = JSON.parse(line.slice(line.indexOf("{")));
    offsets.add(Number(json.offset));
  }
  return offsets;
}

async function checkFile(file, runCdx) {
  const fileProblems = [];
  const warnings = [];
  let httpPass = [];
  let rawPass = [];
  try {
    await withCapturedWarnings(warnings, async () => {
      httpPass = await readWithHttp(file);
      rawPass = await readRaw(file);
    });
  } catch (error) {
    fileProblems.push(`warcio failed: ${error.message}`);
  }
  for (const warning of warnings) fileProblems.push(`warcio warned: ${warning}`);
  if (httpPass.length !== rawPass.length) {
    fileProblems.push(`record count differs between passes: ${httpPass.length} vs ${rawPass.length}`);
  }
  if (rawPass.length === 0) fileProblems.push("no records");
  // warcio stops quietly at a torn final member (warcio#138): every byte of
  // the file must belong to a record it returned.
  const last = rawPass[rawPass.length - 1];
  const size = statSync(file).size;
  if (last && last.offset + last.length < size && isGzip(file)) {
    fileProblems.push(`${size - last.offset - last.length} bytes after the last record warcio read`);
  }

  const cdx = runCdx ? cdxOffsets(file, fileProblems) : null;
  let failed = 0;
  rawPass.forEach(({ offset, length, record, block }, index) => {
    const problems = [];
    const http = httpPass[index];
    if (http && http.offset !== offset) problems.push(`offset differs between passes: ${http.offset}`);
    problems.push(...missingMandatoryFields(record));
    const blockDigest = checkDigest(record.warcBlockDigest, block);
    const payloadDigest = checkPayload(record, block, problems);
    if (http && http.payload.length > 0 && isHttpBlock(record.warcContentType)) {
      const tail = block.subarray(block.length - http.payload.length);
      if (!tail.equals(http.payload)) problems.push("warcio's payload is not the end of the block");
    }
    if (cdx && expectedInCdx(record) && !cdx.has(offset)) problems.push("missing from cdx-index");
    for (const [name, result] of [["block", blockDigest], ["payload", payloadDigest]]) {
      if (result === "mismatch" || result === "unsupported") problems.push(`${name} digest ${result}`);
    }
    if (problems.length) failed++;
    const line = {
      file: basename(file),
      offset,
      length,
      "warc-type": record.warcType,
      "warc-target-uri": record.warcTargetURI ?? null,
      "http:status": http ? http.status : null,
      block_digest: blockDigest,
      payload_digest: payloadDigest,
      problems,
    };
    process.stdout.write(JSON.stringify(line) + "\n");
  });
  for (const problem of fileProblems) console.error(`check_warc: ${file}: ${problem}`);
  const cdxNote = cdx ? `, cdx-index ${cdx.size} lines` : "";
  console.error(`check_warc: ${file}: ${rawPass.length} records, ${failed} bad${cdxNote}`);
  return failed === 0 && fileProblems.length === 0;
}

async function main(argv) {
  const runCdx = !argv.includes("--no-cdx");
  const files = argv.filter((arg) => arg !== "--no-cdx");
  if (files.length === 0 || files.some((f) => f.startsWith("-"))) {
    console.error("usage: check_warc.mjs [--no-cdx] FILE.warc[.gz]...");
    return 2;
  }
  let ok = true;
  for (const file of files) {
    if (!existsSync(file)) {
      console.error(`check_warc: ${file}: no such file`);
      ok = false;
      continue;
    }
    ok = (await checkFile(file, runCdx)) && ok;
  }
  return ok ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2));
