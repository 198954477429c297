import { randomInt } from 'node:crypto';

const XRFKEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A fresh 16-character key for QRS's cross-site request forgery check, from a CSPRNG. */
export function newXrfkey(): string {
  let key = '';
  for (let i = 0; i < 16; i++) key += XRFKEY_ALPHABET[randomInt(XRFKEY_ALPHABET.length)];
  return key;
}

export function isValidXrfkey(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9]{16}$/.test(value);
}
