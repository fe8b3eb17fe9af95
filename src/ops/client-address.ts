// The client's address for the access log. Behind N proxies that each append
// the address they received from to X-Forwarded-For, the client is the entry N
// places from the right of [X-Forwarded-For…, socket address]; entries further
// left were written by the client itself and prove nothing. With no trusted
// proxy (the default) the header is ignored: anyone can send it.
import { isIP } from "node:net";

export interface NodeServerContext {
  req?: { socket?: { remoteAddress?: string } };
}

/** The socket's peer address, when the request came through node:http (not app.fetch in tests). */
export function socketAddress(serverContext: unknown): string | undefined {
  return (serverContext as NodeServerContext | undefined)?.req?.socket?.remoteAddress;
}

export function clientAddress(request: Request, serverContext: unknown, trustedProxies: number): string | undefined {
  const socket = socketAddress(serverContext);
  if (trustedProxies <= 0) return socket;
  const forwarded = (request.headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const chain = socket ? [...forwarded, socket] : forwarded;
  const picked = chain[Math.max(0, chain.length - 1 - trustedProxies)];
  // Only an address is logged: a forged header cannot put arbitrary text in the log.
  return picked && isIP(picked) ? picked : socket;
}
