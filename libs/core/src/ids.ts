import { v7 as uuidv7 } from 'uuid';

/** Time-ordered UUIDs (v7): unique across tenants and friendly to b-tree indexes. */
export function newId(): string {
  return uuidv7();
}
