/**
 * WebSocket close codes the hub uses. 4400-4499 tell stock y-websocket clients to stop
 * reconnecting (a permanent refusal); everything else is transient and they retry.
 *
 * 1013 (a reader too far behind) is transient on purpose: the reader resyncs on reconnect. The
 * two limits a stock client never reaches by itself are permanent (44xx): a presence state over
 * the size limit would be sent again on every reconnect, and so would a flood from a broken loop
 * or a script; retrying would only repeat the refusal and cost an upgrade and audit rows each time.
 */
export const CloseCode = {
  goingAway: 1001,
  protocolError: 1002,
  unsupportedData: 1003,
  policyViolation: 1008,
  internalError: 1011,
  tryAgainLater: 1013,
  tokenInvalid: 4401,
  forbidden: 4403,
  boardGone: 4404,
  /** A presence state (or a connection's presence) over the size limit. */
  tooLarge: 4413,
  /** Messages faster than the per-connection ceiling. */
  tooManyMessages: 4429,
} as const;
