#!/usr/bin/env node
// Interop check for ARC files. npm warcio 2.4.11 reads no ARC
// (webrecorder/warcio.js#5 is open; Python warcio converts ARC records to
// WARC records on the fly), so this script does what that conversion does,
// independently of rotguard: it parses each ARC file (.arc, or .arc.gz
// member by member with node's zlib, CRC32 and ISIZE checked), lists its
// records, turns every record after the file header into the WARC record
// Python warcio's ArchiveIterator would yield (http(s) URL with an HTTP
// response: `response`; anything else, e.g. dns:, `resource` with the ARC
// content type; plus a sha1 payload digest, which ARC lacks) and runs
// warcio's own `cdx-index --format cdxj` over those records, so SURT keys,
// timestamps, mime and status come from warcio. Offsets, lengths and the
// file name in the CDXJ lines are the ARC record's.
//
//   node tools/interop/check_arc.mjs [--cdxj OUT] FILE.arc[.gz]...
//
// stdout: one JSON object per record: {"file","offset","length",
//   "warc-type","warc-target-uri","warc-date","warc-ip-address",
//   "content-type","http:status","problems":[...]}
// --cdxj OUT: the CDXJ lines of every file, in file order.
// Exit status: 0 when every file parsed without a problem, 1 otherwise.

import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";
import { base32 } from "./base32.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const WARCIO_CLI = join(HERE, "node_modules", "warcio", "dist", "cli.js");

// Splits a gzip file into members: [{offset, length, data}] or throws.
function gzipMembers(buf) {
  const members = [];
  let pos = 0;
  while (pos < buf.length) {
    if (buf[pos] !== 0x1f || buf[pos + 1] !== 0x8b || buf[pos + 2] !== 8) {
      throw new Error(`offset ${pos}: not a gzip member`);
    }
    const flags = buf[pos + 3];
    let body = pos + 10;
    if (flags & 4) body += 2 + buf.readUInt16LE(body);
    if (flags & 8) body = buf.indexOf(0, body) + 1;
    if (flags & 16) body = buf.indexOf(0, body) + 1;
    if (flags & 2) body += 2;
    let inflated;
    try {
      inflated = zlib.inflateRawSync(buf.subarray(body), { info: true });
    } catch (error) {
      throw new Error(`offset ${pos}: gzip member cannot be inflated (${error.message})`);
    }
    const end = body + inflated.engine.bytesWritten;
    if (end + 8 > buf.length) throw new Error(`offset ${pos}: gzip member is cut off`);
    const data = inflated.buffer;
    if (buf.readUInt32LE(end) !== zlib.crc32(data) || buf.readUInt32LE(end + 4) !== data.length % 2 ** 32) {
      throw new Error(`offset ${pos}: gzip member fails its CRC32/ISIZE`);
    }
    members.push({ offset: pos, length: end + 8 - pos, data });
    pos = end + 8;
  }
  return members;
}

// One ARC record at `pos` of `data`: {line fields, content, end}.
function parseRecord(data, pos, fieldCount) {
  const eol = data.indexOf(0x0a, pos);
  if (eol < 0) throw new Error("no header line end");
  const parts = data.subarray(pos, eol).toString("latin1").replace(/\r$/, "").split(" ").filter(Boolean);
  if (parts.length < fieldCount) throw new Error(`header line has ${parts.length} fields`);
  const rest = parts.splice(parts.length - (fieldCount - 1));
  const [ip, date, contentType] = rest;
  const length = Number(rest[rest.length - 1]);
  if (!/^\d{14}$/.test(date) || !Number.isInteger(length)) throw new Error("bad header line");
  const content = data.subarray(eol + 1, eol + 1 + length);
  if (content.length !== length) throw new Error(`content is ${content.length} of ${length} bytes`);
  let end = eol + 1 + length;
  if (end < data.length && data[end] !== 0x0a) throw new Error("content not followed by LF");
  if (end < data.length) end += 1;
  return { url: parts.join(" "), ip, date, contentType, content, end };
}

function isoDate(d) {
  return `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}T${d.slice(8, 10)}:${d.slice(10, 12)}:${d.slice(12, 14)}Z`;
}

// The WARC record warcio would make of an ARC record, and its listing.
function convert(record) {
  const http = /^https?:/i.test(record.url) && record.content.subarray(0, 5).toString("latin1") === "HTTP/";
  const type = http ? "response" : "resource";
  let payload = record.content;
  let status = null;
  if (http) {
    const headEnd = record.content.indexOf("\r\n\r\n");
    payload = headEnd < 0 ? Buffer.alloc(0) : record.content.subarray(headEnd + 4);
    status = Number(record.content.toString("latin1").split("\r\n", 1)[0].split(" ")[1]) || null;
  }
  const head =
    `WARC/1.0\r\nWARC-Type: ${type}\r\nWARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-000000000000>\r\n` +
    `WARC-Date: ${isoDate(record.date)}\r\nWARC-Target-URI: ${record.url}\r\nWARC-IP-Address: ${record.ip}\r\n` +
    `Content-Type: ${http ? "application/http; msgtype=response" : record.contentType}\r\n` +
    `WARC-Payload-Digest: sha1:${base32(createHash("sha1").update(payload).digest())}\r\n` +
    `Content-Length: ${record.content.length}\r\n\r\n`;
  return { type, status, warc: Buffer.concat([Buffer.from(head, "latin1"), record.content, Buffer.from("\r\n\r\n")]) };
}

function readArc(file) {
  const buf = readFileSync(file);
  const gz = buf[0] === 0x1f && buf[1] === 0x8b;
  const records = [];
  const add = (data, pos, offset, length, fieldCount) => {
    const r = parseRecord(data, pos, fieldCount);
    records.push({ ...r, offset, length: length ?? r.end - pos });
    return r.end;
  };
  let fieldCount = 5;
  if (gz) {
    for (const m of gzipMembers(buf)) {
      const end = add(m.data, 0, m.offset, m.length, fieldCount);
      if (end !== m.data.length) throw new Error(`offset ${m.offset}: member holds more than one record`);
      if (records.length === 1) fieldCount = fieldCountOf(records[0]);
    }
  } else {
    let pos = 0;
    while (pos < buf.length) {
      if (buf[pos] === 0x0a) { pos++; continue; }
      pos = add(buf, pos, pos, undefined, fieldCount);
      if (records.length === 1) fieldCount = fieldCountOf(records[0]);
    }
  }
  if (!records.length || !records[0].url.startsWith("filedesc://")) throw new Error("no filedesc:// header");
  return records;
}

function fieldCountOf(filedesc) {
  const names = filedesc.content.toString("latin1").split("\n")[1] || "";
  return names.trim().split(/\s+/).length === 10 ? 10 : 5;
}

// CDXJ lines from warcio's cdx-index over the converted records.
function cdxjLines(file, records) {
  const dir = mkdtempSync(join(tmpdir(), "check-arc-"));
  try {
    const parts = [];
    const byOffset = new Map();
    let offset = 0;
    for (const record of records.slice(1)) {
      const { warc } = convert(record);
      byOffset.set(offset, record);
      parts.push(warc);
      offset += warc.length;
    }
    const warcFile = join(dir, "converted.warc");
    writeFileSync(warcFile, Buffer.concat(parts));
    const run = spawnSync(process.execPath, [WARCIO_CLI, "cdx-index", "--format", "cdxj", warcFile], {
      encoding: "utf8",
    });
    if (run.status !== 0) throw new Error(`cdx-index exited ${run.status}: ${run.stderr}`);
    return run.stdout.split("\n").filter(Boolean).map((line) => {
      const brace = line.indexOf("{");
      const json = JSON.parse(line.slice(brace));
      const record = byOffset.get(Number(json.offset));
      json.length = String(record.length);
      json.offset = String(record.offset);
      json.filename = basename(file);
      return line.slice(0, brace) + JSON.stringify(json);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function main(argv) {
  let cdxjOut = null;
  const files = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--cdxj") cdxjOut = argv[++i];
    else files.push(argv[i]);
  }
  if (!files.length || files.some((f) => f.startsWith("-"))) {
    console.error("usage: check_arc.mjs [--cdxj OUT] FILE.arc[.gz]...");
    return 2;
  }
  let ok = true;
  const cdxj = [];
  for (const file of files) {
    let records;
    try {
      records = readArc(file);
      if (cdxjOut) cdxj.push(...cdxjLines(file, records));
    } catch (error) {
      console.error(`check_arc: ${file}: ${error.message}`);
      ok = false;
      continue;
    }
    records.forEach((record, index) => {
      const { type, status } = index === 0 ? { type: "warcinfo", status: null } : convert(record);
      const line = {
        file: basename(file),
        offset: record.offset,
        length: record.length,
        "warc-type": type,
        "warc-target-uri": record.url,
        "warc-date": isoDate(record.date),
        "warc-ip-address": record.ip,
        "content-type": record.contentType,
        "http:status": status,
        problems: [],
      };
      process.stdout.write(JSON.stringify(line) + "\n");
    });
    console.error(`check_arc: ${file}: ${records.length} records`);
  }
  if (cdxjOut) writeFileSync(cdxjOut, cdxj.map((l) => l + "\n").join(""));
  return ok ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
