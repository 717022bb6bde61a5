import { z } from 'zod';
import { isFingerprint } from './fingerprint.js';

/**
 * What a hub says about itself over mDNS (DNS-SD, RFC 6763), as plain data: the record set of one
 * announcement, its TXT keys, and how to read other hubs' records out of a response packet. No
 * sockets here; announcer.ts and peer-browser.ts send and receive these.
 *
 * Service type `_boardhub._tcp.local`. Instance `NAME._boardhub._tcp.local` points (SRV) at
 * `HOST.local:PORT`, whose A records are the hub's selected LAN addresses. TXT:
 *   id     hub id (stable across restarts and renames)
 *   name   display name as announced (with a " (2)" suffix after a name conflict)
 *   proto  LAN protocol version (this file's format and the join URL shape)
 *   fp     SHA-256 of the hub's public signing key, hex
 *   ver    Boardhub version
 * Every record carries the same TTL; a hub that stops answering disappears from peers' lists
 * when it runs out, one that stops cleanly sends the set again with TTL 0 ("goodbye").
 */
export const SERVICE_NAME = 'boardhub';
export const SERVICE_TYPE = `_${SERVICE_NAME}._tcp.local`;
const SERVICE_ENUMERATION = '_services._dns-sd._udp.local';
export const LAN_PROTOCOL_VERSION = '1';
/** A DNS label is at most 63 bytes. */
const MAX_LABEL_BYTES = 63;

export interface HubAdvert {
  hubId: string;
  name: string;
  protocolVersion: string;
  fingerprint: string;
  version: string | null;
}

export interface MdnsRecord {
  name: string;
  type: string;
  ttl?: number;
  /** The cache-flush bit: this record replaces what a cache holds for name and type. */
  flush?: boolean;
  data?: unknown;
}

export interface MdnsPacket {
  answers?: MdnsRecord[];
  additionals?: MdnsRecord[];
}

export interface Announcement {
  /** Display name as announced (the instance label is derived from it). */
  name: string;
  /** `HOST.local` */
  host: string;
  port: number;
  advert: HubAdvert;
  addresses: readonly string[];
  ttlSeconds: number;
}

const TxtSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{3,64}$/),
  name: z.string().min(1).max(255),
  proto: z.string().regex(/^\d{1,4}$/),
  fp: z.string().refine(isFingerprint, 'a SHA-256 fingerprint in hex'),
  ver: z.string().max(64).optional(),
});

export function advertTxt(advert: HubAdvert): Record<string, string> {
  const txt: Record<string, string> = {
    id: advert.hubId,
    name: advert.name,
    proto: advert.protocolVersion,
    fp: advert.fingerprint,
  };
  if (advert.version !== null) txt.ver = advert.version;
  return txt;
}

/** A hub's advert from decoded TXT key/values, or undefined if it is not a well-formed one. */
export function parseAdvertTxt(txt: unknown): HubAdvert | undefined {
  const parsed = TxtSchema.safeParse(txt);
  if (!parsed.success) return undefined;
  const { id, name, proto, fp, ver } = parsed.data;
  return { hubId: id, name, protocolVersion: proto, fingerprint: fp, version: ver ?? null };
}

/** TXT record strings ("key=value") as key/values; the first occurrence of a key wins (RFC 6763 6.4). */
export function decodeTxt(data: unknown): Record<string, string> {
  const entries = Array.isArray(data) ? data : [data];
  const txt: Record<string, string> = {};
  for (const entry of entries) {
    const text = Buffer.isBuffer(entry) ? entry.toString('utf8') : typeof entry === 'string' ? entry : '';
    const equals = text.indexOf('=');
    if (equals <= 0) continue;
    const key = text.slice(0, equals).toLowerCase();
    if (!(key in txt)) txt[key] = text.slice(equals + 1);
  }
  return txt;
}

/** The instance label for a display name: no dots (they separate labels), at most 63 bytes. */
export function instanceLabel(name: string): string {
  let label = name.replace(/\./g, '-').trim() || 'Boardhub';
  while (Buffer.byteLength(label) > MAX_LABEL_BYTES) label = [...label].slice(0, -1).join('');
  return label;
}

/** Display names tried in turn when a name is taken: "Name", "Name (2)", "Name (3)", … */
export function nameCandidate(base: string, attempt: number): string {
  if (attempt <= 1) return base;
  const suffix = ` (${attempt})`;
  let stem = base;
  while (Buffer.byteLength(stem + suffix) > MAX_LABEL_BYTES) stem = [...stem].slice(0, -1).join('');
  return stem + suffix;
}

export const serviceFqdn = (name: string): string => `${instanceLabel(name)}.${SERVICE_TYPE}`;

const sameName = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

export function announcementRecords(announcement: Announcement): MdnsRecord[] {
  const { host, port, addresses, ttlSeconds: ttl } = announcement;
  const fqdn = serviceFqdn(announcement.name);
  const txt = Object.entries(advertTxt(announcement.advert)).map(([key, value]) =>
    Buffer.from(`${key}=${value}`),
  );
  return [
    { name: SERVICE_TYPE, type: 'PTR', ttl, data: fqdn },
    { name: SERVICE_ENUMERATION, type: 'PTR', ttl, data: SERVICE_TYPE },
    { name: fqdn, type: 'SRV', ttl, flush: true, data: { port, target: host } },
    { name: fqdn, type: 'TXT', ttl, flush: true, data: txt },
    ...addresses.map((address) => ({ name: host, type: 'A', ttl, flush: true, data: address })),
  ];
}

/** The same records with TTL 0: "forget these now" (RFC 6762 10.1). */
export function goodbyeRecords(records: readonly MdnsRecord[]): MdnsRecord[] {
  return records
    .filter((record) => record.name !== SERVICE_ENUMERATION)
    .map((record) => ({ ...record, ttl: 0 }));
}

const allRecords = (packet: MdnsPacket): MdnsRecord[] => [
  ...(packet.answers ?? []),
  ...(packet.additionals ?? []),
];

/**
 * Who else claims `fqdn` in this packet: the hub id of a live TXT record under that name with
 * another id, or '' for a live SRV record pointing somewhere other than us. Undefined when the
 * packet does not claim the name or the claim is our own (our responder's answers come back to
 * us through multicast loopback, sometimes as a lone SRV or TXT record).
 */
export function foreignClaim(
  packet: MdnsPacket,
  fqdn: string,
  own: { hubId: string; host: string; port: number },
): string | undefined {
  for (const record of allRecords(packet)) {
    if ((record.ttl ?? 0) <= 0 || !sameName(record.name, fqdn)) continue;
    if (record.type === 'TXT') {
      const id = decodeTxt(record.data).id ?? '';
      if (id !== own.hubId) return id;
    } else if (record.type === 'SRV') {
      const data = record.data as { port?: unknown; target?: unknown } | undefined;
      const target = typeof data?.target === 'string' ? data.target : '';
      if (data?.port !== own.port || !sameName(target, own.host)) {
        const txt = allRecords(packet).find((r) => r.type === 'TXT' && sameName(r.name, fqdn));
        return txt ? (decodeTxt(txt.data).id ?? '') : '';
      }
    }
  }
  return undefined;
}

export interface ServiceSighting {
  /** Lower-cased instance FQDN. */
  fqdn: string;
  ttlSeconds: number;
  /** The A records of the SRV target, when the packet carries both. */
  addresses?: string[];
}

/**
 * Which `_boardhub._tcp` instances this packet shows alive, with their TTL: used to keep peers
 * whose records are refreshed by answers to anyone's query (bonjour-service's browser only notes
 * the first sighting).
 */
export function sightings(packet: MdnsPacket): ServiceSighting[] {
  const records = allRecords(packet).filter((record) => (record.ttl ?? 0) > 0);
  const found = new Map<string, ServiceSighting>();
  const note = (fqdn: string, ttl: number): ServiceSighting => {
    const key = fqdn.toLowerCase();
    const existing = found.get(key);
    const sighting = existing ?? { fqdn: key, ttlSeconds: ttl };
    sighting.ttlSeconds = Math.min(sighting.ttlSeconds, ttl);
    found.set(key, sighting);
    return sighting;
  };
  for (const record of records) {
    const ttl = record.ttl ?? 0;
    if (record.type === 'PTR' && sameName(record.name, SERVICE_TYPE) && typeof record.data === 'string') {
      note(record.data, ttl);
    } else if (
      (record.type === 'SRV' || record.type === 'TXT') &&
      record.name.toLowerCase().endsWith(`.${SERVICE_TYPE}`)
    ) {
      const sighting = note(record.name, ttl);
      const target =
        record.type === 'SRV' ? (record.data as { target?: unknown } | undefined)?.target : undefined;
      if (typeof target === 'string') {
        const addresses = records
          .filter((r) => r.type === 'A' && sameName(r.name, target) && typeof r.data === 'string')
          .map((r) => r.data as string);
        if (addresses.length > 0) sighting.addresses = addresses;
      }
    }
  }
  return [...found.values()];
}
