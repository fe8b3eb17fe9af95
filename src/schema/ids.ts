// Database ids are UUIDs. An id that is not one cannot name a row: it is
// replaced by the nil UUID, which matches nothing, instead of reaching
// PostgreSQL as a malformed uuid (an internal error there).
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const NIL_UUID = "00000000-0000-0000-0000-000000000000";

export function isUuid(id: unknown): id is string {
  return typeof id === "string" && UUID.test(id);
}

export function uuidOrNil(id: unknown): string {
  return isUuid(id) ? id : NIL_UUID;
}
