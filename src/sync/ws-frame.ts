/**
 * One broadcast, framed once: every reader of a room gets the same bytes, so the WebSocket frame
 * (RFC 6455 §5.2; a server's frames are never masked) is built once and written to each
 * reader's socket as it is. Through ws, every send would build its own header and pass through
 * its sender's cork/uncork and a two-buffer writev; a broadcast to 20 readers pays that 20 times
 * on the path every edit takes. No I/O here.
 */
const FIN_BINARY = 0x82;
const LENGTH_16 = 126;
const LENGTH_64 = 127;

/** The header's length in a frame built by frameBinaryMessage: what precedes the message. */
export function frameHeaderLength(frame: Buffer): number {
  const length = (frame[1] as number) & 0x7f;
  return length === LENGTH_16 ? 4 : length === LENGTH_64 ? 10 : 2;
}

export function frameBinaryMessage(payload: Uint8Array): Buffer {
  const length = payload.byteLength;
  const headerLength = length < LENGTH_16 ? 2 : length < 0x1_00_00 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + length);
  frame[0] = FIN_BINARY;
  if (length < LENGTH_16) {
    frame[1] = length;
  } else if (length < 0x1_00_00) {
    frame[1] = LENGTH_16;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = LENGTH_64;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  frame.set(payload, headerLength);
  return frame;
}
