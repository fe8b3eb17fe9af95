// X-Request-Id: taken from the client or the proxy in front when it has a safe
// shape (so one id follows a request through the proxy's log, ours and the
// client's), otherwise a fresh UUID. Always sent back on the answer.
import { randomUUID } from "node:crypto";

export const REQUEST_ID_HEADER = "x-request-id";

/**
 * What an id may look like: 1–128 of letters, digits and . _ : - (UUIDs, ULIDs, hex trace ids,
 * nginx's $request_id, AWS' "Root=1-…" minus the "="). Anything else — spaces, quotes, control
 * characters, a 100 KB header — is replaced, never echoed or logged.
 */
const SHAPE = /^[A-Za-z0-9._:-]{1,128}$/;

export function isRequestId(value: string | null | undefined): value is string {
  return !!value && SHAPE.test(value);
}

/** The request's id: the incoming header's when well-formed, else a new one. */
export function requestIdOf(request: Request): string {
  const given = request.headers.get(REQUEST_ID_HEADER);
  return isRequestId(given) ? given : randomUUID();
}
