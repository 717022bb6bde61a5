/**
 * @module elements-binding
 * Binds Excalidraw's scene elements to the board's `elements` root (skeleton; filled in next).
 */

import * as Y from 'yjs';
import type { ExcalidrawElementLike } from './schema.js';

export interface ElementsChange {
  /** True when the change came from another client (not this binding's writes or its undo/redo). */
  remote: boolean;
}

export type ElementsListener = (elements: ExcalidrawElementLike[], change: ElementsChange) => void;

export interface ElementsBindingOptions {
  /** The transaction origin of this client's writes (the undo manager tracks only it). */
  localOrigin?: unknown;
}

export interface ElementsBinding {
  readElements(): ExcalidrawElementLike[];
  writeLocalChanges(elements: readonly ExcalidrawElementLike[]): number;
  subscribe(listener: ElementsListener): () => void;
  readonly undoManager: Y.UndoManager;
  destroy(): void;
}

export function createElementsBinding(doc: Y.Doc, options: ElementsBindingOptions = {}): ElementsBinding {
  const localOrigin = options.localOrigin ?? Symbol('board-local');
  const undoManager = new Y.UndoManager(doc.getArray('elements'), { trackedOrigins: new Set([localOrigin]) });
  return {
    readElements: () => [],
    writeLocalChanges: () => 0,
    subscribe: () => () => {},
    undoManager,
    destroy: () => undoManager.destroy(),
  };
}
