import { AuditStore } from './audit-store.js';
import { BoardStore } from './board-store.js';
import { type Db, type Durability, openDatabase } from './database.js';
import { DocUpdateStore } from './doc-update-store.js';
import { MetaStore } from './meta-store.js';
import { ShareStore } from './share-store.js';

/** Everything that touches SQL, opened together on one connection. */
export interface Stores {
  db: Db;
  meta: MetaStore;
  boards: BoardStore;
  updates: DocUpdateStore;
  shares: ShareStore;
  audit: AuditStore;
  close(): void;
}

export function openStores(dataDir: string, durability: Durability = 'normal'): Stores {
  const db = openDatabase(dataDir, durability);
  return {
    db,
    meta: new MetaStore(db),
    boards: new BoardStore(db),
    updates: new DocUpdateStore(db),
    shares: new ShareStore(db),
    audit: new AuditStore(db),
    close: () => db.close(),
  };
}
