import { createHmac } from "node:crypto";

// The only form in which a trainee leaves the process (MQTT, time-series
// store, xAPI): a keyed hash of the trainee's id. Stable per trainee and
// site secret; without the secret it cannot be linked back to anyone, and it
// is never derived from a name, username or e-mail (those can change and are
// guessable). Changing the secret changes every pseudonym.

const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

/** 80 bits: collisions among a school's few thousand trainees are out of the question. */
const BITS = 80;

export function pseudonymOf(secret: string, traineeId: string): string {
  const mac = createHmac("sha256", secret).update(traineeId, "utf8").digest();
  let out = "";
  let acc = 0;
  let accBits = 0;
  for (const byte of mac) {
    acc = (acc << 8) | byte;
    accBits += 8;
    while (accBits >= 5 && out.length * 5 < BITS) {
      out += BASE32[(acc >>> (accBits - 5)) & 31];
      accBits -= 5;
    }
    if (out.length * 5 >= BITS) break;
    acc &= (1 << accBits) - 1;
  }
  return `t-${out}`;
}

export const PSEUDONYM_PATTERN = /^t-[a-z2-7]{16}$/;
