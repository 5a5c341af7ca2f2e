// A port free on 127.0.0.1 now, for a server the script starts a moment later (the scripts' one copy).
import { createServer } from "node:net";

export function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once("error", rej);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}
