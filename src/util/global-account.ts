/** The account of clients that name none, and of every client without accounts configured (nats-server's `$G`). */
export const GLOBAL_ACCOUNT = "$G";
