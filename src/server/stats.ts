/** Server-wide counters, read by /varz. */
export class ServerStats {
  inMsgs = 0;
  inBytes = 0;
  outMsgs = 0;
  outBytes = 0;
  slowConsumers = 0;
  staleConnections = 0;
  totalConnections = 0;
}
