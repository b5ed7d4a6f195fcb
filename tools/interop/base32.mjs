// RFC 4648 Base32 (no padding) of a byte array: the encoding of WARC digest
// labels such as "sha1:" + Base32, as rotguard and warcio write them. One
// copy for the interop checks and the verify bench's warcio peer.
export function base32(bytes) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0;
  let value = 0;
  let out = "";
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}
