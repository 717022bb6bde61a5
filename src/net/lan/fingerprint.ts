/**
 * The short, human-checkable form of a hub's key fingerprint (SHA-256 of its public key, hex):
 * the first 100 bits in RFC 4648 base32 (A–Z, 2–7: no 0/O or 1/I to confuse), five groups of
 * four, e.g. "MZXW-6YTB-OI2D-QNBV-GQ3T". Two people compare it by reading it aloud; 100 bits
 * make a made-up key with the same short form out of reach.
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const SHORT_CHARACTERS = 20;
const GROUP = 4;

export function base32(bytes: Uint8Array): string {
  let output = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      output += ALPHABET[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) output += ALPHABET[(buffer << (5 - bits)) & 31];
  return output;
}

export function isFingerprint(value: string): boolean {
  return /^[0-9a-f]{64}$/.test(value);
}

/** "MZXW-6YTB-OI2D-QNBV-GQ3T" for a 64-hex-digit fingerprint; throws on anything else. */
export function shortFingerprint(fingerprint: string): string {
  if (!isFingerprint(fingerprint)) throw new TypeError('a fingerprint is 64 lowercase hex digits');
  const encoded = base32(Buffer.from(fingerprint, 'hex')).slice(0, SHORT_CHARACTERS);
  const groups: string[] = [];
  for (let i = 0; i < encoded.length; i += GROUP) groups.push(encoded.slice(i, i + GROUP));
  return groups.join('-');
}
