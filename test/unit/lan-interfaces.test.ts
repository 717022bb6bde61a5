import assert from 'node:assert/strict';
import type { NetworkInterfaceInfo } from 'node:os';
import { describe, it } from 'node:test';
import { mdnsEnabled, parseHubConfig } from '../../src/config.js';
import {
  chooseInterfaces,
  hostLabel,
  type NetworkInterfaces,
  preferredAddress,
  sameSubnet,
} from '../../src/net/lan/interfaces.js';

function v4(
  address: string,
  options: { internal?: boolean; mac?: string; netmask?: string } = {},
): NetworkInterfaceInfo {
  return {
    address,
    netmask: options.netmask ?? '255.255.255.0',
    family: 'IPv4',
    mac: options.mac ?? '3c:22:fb:12:34:56',
    internal: options.internal ?? false,
    cidr: `${address}/24`,
  };
}

function v6(address: string): NetworkInterfaceInfo {
  return {
    address,
    netmask: 'ffff:ffff:ffff:ffff::',
    family: 'IPv6',
    mac: '3c:22:fb:12:34:56',
    internal: false,
    cidr: `${address}/64`,
    scopeid: 0,
  };
}

/** A developer laptop: Wi-Fi, Docker, a VPN tunnel, a VM bridge and loopback. */
const laptop: NetworkInterfaces = {
  lo: [v4('127.0.0.1', { internal: true, mac: '00:00:00:00:00:00', netmask: '255.0.0.0' })],
  docker0: [v4('172.17.0.1', { netmask: '255.255.0.0' })],
  'br-5f2a9c1d': [v4('172.18.0.1', { netmask: '255.255.0.0' })],
  veth12ab: [v4('169.254.10.1')],
  wg0: [v4('10.8.0.3', { mac: '00:00:00:00:00:00' })],
  virbr0: [v4('192.168.122.1')],
  wlp2s0: [v4('192.168.1.23'), v6('fe80::1c2b:3a4d:5e6f:7a8b')],
};

const selected = (interfaces: NetworkInterfaces, boundHost = '0.0.0.0', picks: string[] = []): string[] =>
  chooseInterfaces(interfaces, { boundHost, picks })
    .filter((c) => c.selected)
    .map((c) => `${c.name} ${c.address}`);

describe('which interfaces the hub announces on', () => {
  it('a laptop on Wi-Fi announces its Wi-Fi address only: no loopback, docker, bridges, veth, VPN or VM', () => {
    assert.deepEqual(selected(laptop), ['wlp2s0 192.168.1.23']);
    const reasons = Object.fromEntries(
      chooseInterfaces(laptop, { boundHost: '0.0.0.0' }).map((c) => [c.name, c.reason]),
    );
    assert.equal(reasons.lo, 'loopback');
    assert.match(reasons.docker0 ?? '', /virtual/);
    assert.match(reasons.wg0 ?? '', /virtual/);
    assert.equal(reasons.wlp2s0, 'LAN interface');
  });

  it('IPv6 addresses are not offered (announcements carry IPv4 addresses)', () => {
    assert.ok(chooseInterfaces(laptop, { boundHost: '0.0.0.0' }).every((c) => !c.address.includes(':')));
  });

  it('a tunnel without a hardware address is skipped whatever its name', () => {
    assert.deepEqual(selected({ corpvpn: [v4('10.20.0.5', { mac: '00:00:00:00:00:00' })] }), []);
  });

  it('macOS and Windows names: en0 and Ethernet are LAN; utun, bridge, awdl and vEthernet are not', () => {
    const mac: NetworkInterfaces = {
      en0: [v4('192.168.1.50')],
      utun3: [v4('100.64.0.2')],
      bridge100: [v4('192.168.64.1')],
      'vEthernet (WSL)': [v4('172.29.160.1')],
      Ethernet: [v4('10.0.0.12')],
    };
    assert.deepEqual(selected(mac), ['en0 192.168.1.50', 'Ethernet 10.0.0.12']);
  });

  it('link-local addresses (no DHCP, two laptops on one cable) are used, after ordinary ones', () => {
    const machine: NetworkInterfaces = { eth0: [v4('169.254.7.9')], wlan0: [v4('192.168.0.4')] };
    assert.deepEqual(selected(machine), ['wlan0 192.168.0.4', 'eth0 169.254.7.9']);
    assert.equal(preferredAddress(machine, { boundHost: '0.0.0.0' }), '192.168.0.4');
  });

  it('an explicit choice by name or address wins, even for an interface skipped by default', () => {
    assert.deepEqual(selected(laptop, '0.0.0.0', ['docker0']), ['docker0 172.17.0.1']);
    assert.deepEqual(selected(laptop, '0.0.0.0', ['192.168.122.1', 'wlp2s0']), [
      'virbr0 192.168.122.1',
      'wlp2s0 192.168.1.23',
    ]);
    const skipped = chooseInterfaces(laptop, { boundHost: '0.0.0.0', picks: ['wlp2s0'] }).find(
      (c) => c.name === 'docker0',
    );
    assert.match(skipped?.reason ?? '', /--mdns-interface/);
  });

  it('a hub bound to one address announces that address only', () => {
    assert.deepEqual(selected(laptop, '172.17.0.1'), ['docker0 172.17.0.1']);
    assert.equal(preferredAddress(laptop, { boundHost: '172.17.0.1' }), '172.17.0.1');
  });

  it('no LAN at all: nothing is selected', () => {
    assert.deepEqual(selected({ lo: laptop.lo, docker0: laptop.docker0 }), []);
  });
});

describe('the address put in join links', () => {
  it('a wildcard-bound hub gets its preferred LAN address, never 127.0.0.1 while a LAN exists', () => {
    assert.equal(preferredAddress(laptop, { boundHost: '0.0.0.0' }), '192.168.1.23');
    assert.equal(preferredAddress(laptop, { boundHost: '::' }), '192.168.1.23');
  });

  it('with only virtual interfaces, a virtual address still beats loopback; with nothing, loopback', () => {
    assert.equal(
      preferredAddress({ lo: laptop.lo, docker0: laptop.docker0 }, { boundHost: '0.0.0.0' }),
      '172.17.0.1',
    );
    assert.equal(preferredAddress({ lo: laptop.lo }, { boundHost: '0.0.0.0' }), '127.0.0.1');
  });

  it('the chosen interface decides the address', () => {
    assert.equal(preferredAddress(laptop, { boundHost: '0.0.0.0', picks: ['virbr0'] }), '192.168.122.1');
  });

  it('a loopback hub keeps its loopback address', () => {
    assert.equal(preferredAddress(laptop, { boundHost: '127.0.0.1' }), '127.0.0.1');
  });
});

describe('small LAN helpers', () => {
  it('sameSubnet compares IPv4 networks', () => {
    assert.equal(sameSubnet('192.168.1.77', { address: '192.168.1.23', netmask: '255.255.255.0' }), true);
    assert.equal(sameSubnet('192.168.2.77', { address: '192.168.1.23', netmask: '255.255.255.0' }), false);
    assert.equal(sameSubnet('10.1.200.3', { address: '10.1.0.1', netmask: '255.255.0.0' }), true);
    assert.equal(sameSubnet('fe80::1', { address: '192.168.1.23', netmask: '255.255.255.0' }), false);
  });

  it('hostLabel makes one DNS label of a machine name', () => {
    assert.equal(hostLabel('Anas-MacBook-Pro.local'), 'Anas-MacBook-Pro');
    assert.equal(hostLabel('box.example.org'), 'box');
    assert.equal(hostLabel("Ana's laptop"), 'Ana-s-laptop');
    assert.equal(hostLabel('...'), 'boardhub');
  });

  it('mDNS is on by default exactly when the hub listens on a non-loopback address', () => {
    const config = (input: { host?: string; mdns?: boolean }) =>
      parseHubConfig({ dataDir: '/tmp/x', ...input });
    assert.equal(mdnsEnabled(config({})), false);
    assert.equal(mdnsEnabled(config({ host: 'localhost' })), false);
    assert.equal(mdnsEnabled(config({ host: '0.0.0.0' })), true);
    assert.equal(mdnsEnabled(config({ host: '192.168.1.23' })), true);
    assert.equal(mdnsEnabled(config({ host: '0.0.0.0', mdns: false })), false);
    assert.equal(mdnsEnabled(config({ host: '127.0.0.1', mdns: true })), true);
    assert.equal(config({}).mdnsTtlSeconds, 120);
  });
});
