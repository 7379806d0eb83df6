import { SqliteTrainingStore } from "../../src/training/store/sqlite.ts";
import type { TrainingStore, UserRecord } from "../../src/training/store/types.ts";

export const SECRET = "test-pseudonym-secret-0123456789";
export const T0 = Date.UTC(2027, 0, 4, 7, 0); // Monday 08:00 in Oslo

export function memoryStore(): SqliteTrainingStore {
  return new SqliteTrainingStore(":memory:");
}

let counter = 0;
/** Insert a user without a password hash (fast); returns the record. */
export async function addUser(
  store: TrainingStore,
  over: Partial<UserRecord> & { username: string },
): Promise<UserRecord> {
  counter++;
  const u: UserRecord = {
    id: `u-test${String(counter).padStart(12, "0")}`,
    displayName: `Name of ${over.username}`,
    email: null,
    role: "trainee",
    badge: null,
    disabled: false,
    passwordHash: null,
    createdAt: T0,
    updatedAt: T0,
    ...over,
  };
  await store.insertUsers([u]);
  return u;
}
