/** RFC 6238 TOTP (HMAC-SHA1, 6 digits, 30 s) from an `otpauth://` URI, with node:crypto only. */
import { createHmac } from 'node:crypto';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Decode(text: string): Buffer {
  const bytes: number[] = [];
  let bits = 0;
  let value = 0;
  for (const char of text.replace(/=+$/, '').toUpperCase()) {
    const index = BASE32.indexOf(char);
    if (index < 0) throw new Error(`not base32: ${char}`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(bytes);
}

export function hotp(key: Buffer, counter: number, digits = 6): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', key).update(message).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const truncated = (mac.readUInt32BE(offset) & 0x7fffffff) % 10 ** digits;
  return truncated.toString().padStart(digits, '0');
}

/** The current code for an `otpauth://totp/…?secret=…` URI (or `stepOffset` periods away). */
export function totpFromUri(uri: string, stepOffset = 0, now = Date.now()): string {
  const params = new URL(uri).searchParams;
  const period = Number(params.get('period') ?? 30);
  return hotp(base32Decode(params.get('secret')!), Math.floor(now / 1000 / period) + stepOffset, Number(params.get('digits') ?? 6));
}

const spentCodes = new Map<string, Set<string>>();

/**
 * A code the server has not seen from this test process yet: Portcullis accepts each TOTP code
 * once, so a test that signs in again within a step takes a neighbouring step's code (accepted
 * within the one step of drift either way), and after those waits for a new step: a test that
 * takes more than two codes needs a timeout above 30 s.
 */
export async function unusedTotp(uri: string): Promise<string> {
  const spent = spentCodes.get(uri) ?? new Set<string>();
  spentCodes.set(uri, spent);
  for (;;) {
    // The previous step's code only early in a step: near the boundary it could fall out of the
    // accepted window before the server checks it.
    const msLeftInStep = 30_000 - (Date.now() % 30_000);
    for (const offset of msLeftInStep > 10_000 ? [0, 1, -1] : [0, 1]) {
      const code = totpFromUri(uri, offset);
      if (!spent.has(code)) {
        spent.add(code);
        return code;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 30_000 - (Date.now() % 30_000) + 100));
  }
}
