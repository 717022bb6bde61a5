import type { NetworkInterfaceInfo } from 'node:os';

/**
 * Which network interfaces the hub announces itself on, and which of its addresses guests are
 * told to use. Pure: it works on the data os.networkInterfaces() returns, so it is unit-tested
 * with made-up machines.
 *
 * By default every interface with an IPv4 address takes part, except loopback and the virtual
 * interfaces of containers, VMs and VPNs (docker0, br-…, veth…, virbr…, tun…, wg…, utun…,
 * vEthernet…, anything without a hardware address). Guests on the room's Wi-Fi cannot reach
 * those, so advertising them only produces links that do not work. An explicit choice (interface
 * names or addresses, `--mdns-interface`) overrides this, and a hub bound to one address
 * announces that address only.
 */
export type NetworkInterfaces = NodeJS.Dict<NetworkInterfaceInfo[]>;

export interface InterfaceChoice {
  name: string;
  address: string;
  netmask: string;
  /** Announced, and used for join links. */
  selected: boolean;
  /** Why it was chosen or skipped, for `boardhub doctor`. */
  reason: string;
}

export interface SelectionOptions {
  /** Interface names or IPv4 addresses to use; empty = choose automatically. */
  picks?: readonly string[];
  /** The address the hub listens on: a wildcard (0.0.0.0, ::) or one address. */
  boundHost: string;
}

/** Interface name prefixes of containers, bridges, VMs and VPN tunnels (Linux, macOS, Windows). */
const VIRTUAL_NAME =
  /^(docker|br-|bridge|veth|virbr|vnet|vmnet|vboxnet|lxcbr|lxdbr|cni|flannel|cali|weave|podman|kube|tun|tap|wg|tailscale|zt|utun|ipsec|ppp|nordlynx|gif|stf|awdl|llw|anpi|vethernet|hyper-v|vmware|virtualbox)/i;

export function isWildcardHost(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '';
}

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

export function isVirtualInterface(name: string, mac: string): boolean {
  return VIRTUAL_NAME.test(name) || mac === '00:00:00:00:00:00';
}

const isLinkLocal = (address: string): boolean => address.startsWith('169.254.');

function skipReason(name: string, info: NetworkInterfaceInfo, options: SelectionOptions): string | null {
  const picks = options.picks ?? [];
  if (!isWildcardHost(options.boundHost)) {
    return info.address === options.boundHost ? null : `the hub listens on ${options.boundHost} only`;
  }
  if (picks.length > 0) {
    return picks.includes(name) || picks.includes(info.address) ? null : 'not chosen (--mdns-interface)';
  }
  if (info.internal) return 'loopback';
  if (isVirtualInterface(name, info.mac)) return 'virtual interface (container, VM or VPN)';
  return null;
}

/**
 * Every IPv4 address of the machine with the decision about it. Selected ones come first, in a
 * stable order of preference: ordinary LAN addresses before link-local (169.254.x.x) ones, then
 * the operating system's order.
 */
export function chooseInterfaces(
  interfaces: NetworkInterfaces,
  options: SelectionOptions,
): InterfaceChoice[] {
  const choices: InterfaceChoice[] = [];
  for (const [name, infos] of Object.entries(interfaces)) {
    for (const info of infos ?? []) {
      if (info.family !== 'IPv4') continue;
      const skipped = skipReason(name, info, options);
      choices.push({
        name,
        address: info.address,
        netmask: info.netmask,
        selected: skipped === null,
        reason:
          skipped ??
          (isLinkLocal(info.address) ? 'LAN (link-local address: no DHCP on this network)' : 'LAN interface'),
      });
    }
  }
  const rank = (choice: InterfaceChoice): number =>
    choice.selected ? (isLinkLocal(choice.address) ? 1 : 0) : 2;
  return choices
    .map((choice, index) => ({ choice, index }))
    .sort((a, b) => rank(a.choice) - rank(b.choice) || a.index - b.index)
    .map(({ choice }) => choice);
}

export const selectedOnly = (choices: readonly InterfaceChoice[]): InterfaceChoice[] =>
  choices.filter((choice) => choice.selected);

/**
 * The address to put in links for a hub bound to `boundHost`: the bound address itself, or for a
 * wildcard the preferred selected LAN address, else any non-loopback IPv4 address (even a virtual
 * one beats 127.0.0.1 for a hub that was opened to the network), else 127.0.0.1.
 */
export function preferredAddress(interfaces: NetworkInterfaces, options: SelectionOptions): string {
  if (!isWildcardHost(options.boundHost)) return options.boundHost;
  const [first] = selectedOnly(chooseInterfaces(interfaces, options));
  if (first) return first.address;
  for (const infos of Object.values(interfaces)) {
    for (const info of infos ?? []) {
      if (info.family === 'IPv4' && !info.internal) return info.address;
    }
  }
  return '127.0.0.1';
}

/** True when `address` lies in the IPv4 subnet of `choice` (to order a peer's addresses). */
export function sameSubnet(address: string, network: { address: string; netmask: string }): boolean {
  const toNumber = (dotted: string): number | null => {
    const parts = dotted.split('.').map(Number);
    if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return null;
    return (
      (((parts[0] ?? 0) << 24) | ((parts[1] ?? 0) << 16) | ((parts[2] ?? 0) << 8) | (parts[3] ?? 0)) >>> 0
    );
  };
  const a = toNumber(address);
  const b = toNumber(network.address);
  const mask = toNumber(network.netmask);
  if (a === null || b === null || mask === null) return false;
  return (a & mask) >>> 0 === (b & mask) >>> 0;
}

/**
 * The machine's name as one DNS label for `NAME.local` (first label of the hostname, letters,
 * digits and hyphens only), e.g. "Anas-MacBook-Pro.local" -> "Anas-MacBook-Pro".
 */
export function hostLabel(hostname: string): string {
  const label = (hostname.split('.')[0] ?? '')
    .replace(/[^A-Za-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63);
  return label === '' ? 'boardhub' : label;
}
