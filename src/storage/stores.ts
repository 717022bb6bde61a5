import { AdminTokenStore } from './admin-token-store.js';
import { AuditStore } from './audit-store.js';
import { BoardFileStore } from './board-file-store.js';
import { BoardStore } from './board-store.js';
import { ClientIdStore } from './client-id-store.js';
import { type Db, databaseFile, type OpenOptions, openDatabase } from './database.js';
import { DocUpdateStore } from './doc-update-store.js';
import { MetaStore } from './meta-store.js';
import { PeerIdentityStore } from './peer-identity-store.js';
import { ShareStore } from './share-store.js';

/** Everything that touches SQL, opened together on one connection. */
export interface Stores {
  db: Db;
  /** Path of the SQLite file. */
  file: string;
  meta: MetaStore;
  boards: BoardStore;
  updates: DocUpdateStore;
  files: BoardFileStore;
  clientIds: ClientIdStore;
  shares: ShareStore;
  audit: AuditStore;
  adminTokens: AdminTokenStore;
  peerIdentities: PeerIdentityStore;
  close(): void;
}

export function openStores(dataDir: string, options: OpenOptions = {}): Stores {
  const db = openDatabase(dataDir, options);
  return {
    db,
    file: databaseFile(dataDir),
    meta: new MetaStore(db),
    boards: new BoardStore(db),
    updates: new DocUpdateStore(db),
    files: new BoardFileStore(db),
    clientIds: new ClientIdStore(db),
    shares: new ShareStore(db),
    audit: new AuditStore(db),
    adminTokens: new AdminTokenStore(db),
    peerIdentities: new PeerIdentityStore(db),
    close: () => db.close(),
  };
}
