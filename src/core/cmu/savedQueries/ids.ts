/** Saved-query ids: random for new entries, a stable slug for hand-written ones. */

export function randomId(): string {
  const bytes = new Uint8Array(8);
  globalThis.crypto.getRandomValues(bytes);
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return 'q' + Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

/** A readable, stable id for a hand-written entry without one (the same name gives the same id). */
export function slugId(name: string, taken: (id: string) => boolean): string {
  const base = name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'query';
  let id = base;
  for (let n = 2; taken(id); n++) id = `${base}-${n}`;
  return id;
}
