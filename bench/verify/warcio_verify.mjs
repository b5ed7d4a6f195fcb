// Peer for the verify benchmark: the least a verifier built on npm warcio
// (2.4.11, the copy in tools/interop/node_modules) has to do. One pass per
// file, every record read whole (gzip members inflated by warcio), the block
// digest and, for application/http records, the payload digest (bytes after
// the HTTP header block) recomputed with node's crypto and compared with the
// record's headers. Unlike tools/interop/check_warc.mjs (two passes, every
// block kept in memory, for interop tests) it keeps nothing.
//
//   node bench/verify/warcio_verify.mjs FILE.warc[.gz]...
//
// stdout: one line "records R, bad B". Exit 0 when B is 0, else 1.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { base32 } from "../../tools/interop/base32.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(HERE, "..", "..", "tools", "interop", "package.json"));
const { WARCParser } = require("warcio");

const CRLFCRLF = Buffer.from("\r\n\r\n");

function sha1(data) {
  return "sha1:" + base32(createHash("sha1").update(data).digest());
}

let records = 0;
let bad = 0;
for (const file of process.argv.slice(2)) {
  const parser = new WARCParser(createReadStream(file), { parseHttp: false });
  for await (const record of parser) {
    const block = Buffer.from(await record.readFully(false));
    records++;
    let ok = true;
    const blockDigest = record.warcHeader("WARC-Block-Digest");
    if (blockDigest && blockDigest.toUpperCase() !== sha1(block).toUpperCase()) ok = false;
    const payloadDigest = record.warcHeader("WARC-Payload-Digest");
    if (payloadDigest && (record.warcContentType || "").startsWith("application/http")) {
      const end = block.indexOf(CRLFCRLF);
      const payload = end < 0 ? block : block.subarray(end + 4);
      if (payloadDigest.toUpperCase() !== sha1(payload).toUpperCase()) ok = false;
    }
    if (!ok) bad++;
  }
}
console.log(`records ${records}, bad ${bad}`);
process.exitCode = bad === 0 && records > 0 ? 0 : 1;
