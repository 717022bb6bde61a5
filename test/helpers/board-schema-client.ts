/**
 * A stock Node y-websocket client that reads and writes a board through docs/BOARD-SCHEMA.md alone:
 * it imports nothing of renderer/board/, so a test using it checks the schema is a real contract.
 * Reading follows the documented rule (for each key the entry furthest right in `elements` wins; order
 * by `index`, then id); writing goes through y-utility's YKeyValue, as the schema says.
 */

import { YKeyValue } from 'y-utility/y-keyvalue';
import * as Y from 'yjs';
import { connectSynced, type TestClient } from './clients.js';

export type SchemaElement = Record<string, unknown> & { id: string; version: number; index: string | null };

interface Entry {
  key: string;
  val: unknown;
}

function isSchemaElement(value: unknown, key: string): value is SchemaElement {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const fields = value as Record<string, unknown>;
  return fields.id === key && typeof fields.type === 'string' && Number.isFinite(fields.version);
}

/** The board's elements (deleted ones included unless `live`), in display order. */
export function readSchemaElements(doc: Y.Doc, options: { live?: boolean } = {}): SchemaElement[] {
  const latest = new Map<string, unknown>();
  for (const entry of doc.getArray<Entry>('elements').toArray()) {
    if (typeof entry === 'object' && entry !== null && typeof entry.key === 'string')
      latest.set(entry.key, entry.val);
  }
  const elements = [...latest].flatMap(([key, value]) => (isSchemaElement(value, key) ? [value] : []));
  const byOrder = (a: SchemaElement, b: SchemaElement): number => {
    const ai = a.index ?? '\uffff';
    const bi = b.index ?? '\uffff';
    if (ai !== bi) return ai < bi ? -1 : 1;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  };
  return elements.filter((element) => !options.live || element.isDeleted !== true).sort(byOrder);
}

// One YKeyValue per doc: each one observes the array for the doc's lifetime.
const keyValues = new WeakMap<Y.Doc, YKeyValue<unknown>>();

/** Writes one whole element (replacing any value under its id), as any client of the schema may. */
export function writeSchemaElement(doc: Y.Doc, element: SchemaElement): void {
  let keyValue = keyValues.get(doc);
  if (keyValue === undefined) {
    keyValue = new YKeyValue<unknown>(doc.getArray<Entry>('elements'));
    keyValues.set(doc, keyValue);
  }
  keyValue.set(element.id, JSON.parse(JSON.stringify(element)));
}

/** A new element the way Excalidraw would serialise a plain rectangle. */
export function schemaRectangle(id: string, fields: Partial<SchemaElement> = {}): SchemaElement {
  return {
    id,
    type: 'rectangle',
    x: 0,
    y: 0,
    width: 100,
    height: 60,
    angle: 0,
    strokeColor: '#1e1e1e',
    backgroundColor: 'transparent',
    fillStyle: 'solid',
    strokeWidth: 2,
    strokeStyle: 'solid',
    roughness: 1,
    opacity: 100,
    groupIds: [],
    frameId: null,
    roundness: null,
    seed: 1,
    version: 1,
    versionNonce: Math.floor(Math.random() * 2 ** 31),
    index: 'a0',
    isDeleted: false,
    boundElements: null,
    updated: Date.now(),
    link: null,
    locked: false,
    ...fields,
  };
}

/** Connects a stock provider to a board (token as `?token=`, as programs pass it) and waits for sync. */
export function connectSchemaClient(wsBase: string, boardId: string, token: string): Promise<TestClient> {
  return connectSynced(wsBase, boardId, token, new Y.Doc());
}
