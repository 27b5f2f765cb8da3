/**
 * Ids in arguments: this graph's global ids (`base64("Type:localId")`), or, for convenience, the
 * provider's own id as shown in its dashboard. A global id of another type is refused.
 */
import { encodeGlobalID } from '@pothos/plugin-relay';
import { ValidationError } from '../errors.js';

/** The one way this graph writes a global id (Relay's base64 of `Type:localId`), as `node(id:)` reads it. */
export function globalIdOf(typename: string, localId: string): string {
  return encodeGlobalID(typename, localId);
}

const GLOBAL_ID = /^([A-Z][A-Za-z]{1,63}):(.{1,512})$/s;
const PROVIDER_ID = /^[A-Za-z0-9][A-Za-z0-9._@+=-]{0,127}$/;

export function localIdOf(
  raw: string,
  typenames: readonly string[],
  path: string,
): { typename: string | null; id: string } {
  const refuse = (message: string) => new ValidationError(message, [{ path, message }]);
  if (raw.length === 0 || raw.length > 1024) throw refuse('Not an id of this API.');
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(raw)) {
    const decoded = Buffer.from(raw, 'base64').toString('utf8');
    const match = GLOBAL_ID.exec(decoded);
    if (
      match &&
      Buffer.from(decoded, 'utf8').toString('base64').replace(/=+$/, '') === raw.replace(/=+$/, '')
    ) {
      const [, typename, id] = match as unknown as [string, string, string];
      if (typenames.includes(typename)) return { typename, id };
      throw refuse(`This id belongs to a ${typename}, not to a ${typenames.join(' or ')}.`);
    }
  }
  if (PROVIDER_ID.test(raw)) return { typename: null, id: raw };
  throw refuse('Not an id of this API.');
}

/** Composite local ids (an item that is only addressable through its parent). */
export function joinIds(parent: string, child: string): string {
  return `${encodeURIComponent(parent)}/${encodeURIComponent(child)}`;
}

export function splitIds(local: string, path: string): [string, string] {
  const parts = local.split('/');
  if (parts.length !== 2 || !parts[0] || !parts[1]) {
    const message = 'Not an id of this API.';
    throw new ValidationError(message, [{ path, message }]);
  }
  try {
    return [decodeURIComponent(parts[0]), decodeURIComponent(parts[1])];
  } catch {
    const message = 'Not an id of this API.';
    throw new ValidationError(message, [{ path, message }]);
  }
}
