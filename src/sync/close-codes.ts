/**
 * WebSocket close codes the hub uses. 4400-4499 tell stock y-websocket clients to stop
 * reconnecting (a permanent refusal); everything else is transient and they retry.
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
} as const;
