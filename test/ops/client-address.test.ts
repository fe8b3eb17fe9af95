import { describe, expect, it } from "vitest";
import { clientAddress } from "../../src/ops/client-address.js";

// Which X-Forwarded-For entry is the client, given how many proxies in front append to it.
describe("the client address behind proxies", () => {
  const request = (xff?: string) => new Request("http://ops.test/graphql", { headers: xff ? { "x-forwarded-for": xff } : {} });
  const via = (remoteAddress: string) => ({ req: { socket: { remoteAddress } } });

  it("ignores X-Forwarded-For unless proxies are trusted: anyone can send it", () => {
    expect(clientAddress(request("203.0.113.9"), via("198.51.100.7"), 0)).toBe("198.51.100.7");
  });

  it("takes the entry the trusted proxy appended, not the one the client wrote", () => {
    // The client sent "X-Forwarded-For: 1.2.3.4"; nginx appended the address it saw (203.0.113.9).
    expect(clientAddress(request("1.2.3.4, 203.0.113.9"), via("10.0.0.2"), 1)).toBe("203.0.113.9");
    // CDN → load balancer → Yardstick: two proxies.
    expect(clientAddress(request("1.2.3.4, 203.0.113.9, 10.1.0.5"), via("10.0.0.2"), 2)).toBe("203.0.113.9");
  });

  it("never logs what is not an address, and copes with a short chain", () => {
    expect(clientAddress(request("<script>, evil"), via("10.0.0.2"), 1)).toBe("10.0.0.2");
    expect(clientAddress(request(), via("10.0.0.2"), 3)).toBe("10.0.0.2");
    expect(clientAddress(request("2001:db8::1"), via("10.0.0.2"), 1)).toBe("2001:db8::1");
  });
});
