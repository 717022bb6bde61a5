/**
 * Bytes to base64 in a browser, where Node's Buffer does not exist. btoa takes a "binary string"
 * (one char per byte); building one for a whole board with a single String.fromCharCode(...bytes)
 * call overflows the stack past a few hundred KB, so the bytes go through in chunks. Each chunk is
 * a multiple of 3 bytes, so its base64 has no padding and the pieces concatenate into one valid
 * encoding.
 */
const CHUNK_BYTES = 3 * 8192;

export function bytesToBase64(bytes: Uint8Array): string {
  const pieces: string[] = [];
  for (let start = 0; start < bytes.length; start += CHUNK_BYTES) {
    pieces.push(btoa(String.fromCharCode(...bytes.subarray(start, start + CHUNK_BYTES))));
  }
  return pieces.join('');
}
