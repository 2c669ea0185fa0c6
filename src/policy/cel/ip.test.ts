import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isCIDR, isIP, ipIsCanonical, netipParseAddr, parseCIDR, parseIP } from './ip.js';

test('IPv4 follows netip: four decimal octets, no leading zeros, no values over 255', () => {
  assert.equal(parseIP('127.0.0.1').toString(), '127.0.0.1');
  assert.equal(parseIP('0.0.0.0').family, 4);
  for (const bad of ['127.0.0.256', '01.2.3.4', '1.2.3.04', '1.2.3', '1.2.3.4.5', '1..2.3', '.1.2.3', '1.2.3.', '1.2.3.a', '0x1.2.3.4', ' 1.2.3.4', '']) {
    assert.equal(isIP(bad), false, bad);
  }
  assert.throws(() => netipParseAddr('01.2.3.4'), /IPv4 field has octet with leading zero/);
  assert.throws(() => netipParseAddr('1.2.3.256'), /IPv4 field has value >255/);
});

test('IPv6 forms, embedded IPv4, and canonical printing', () => {
  assert.equal(parseIP('::1').toString(), '::1');
  assert.equal(parseIP('::').toString(), '::');
  assert.equal(parseIP('2001:DB8::ABCD').toString(), '2001:db8::abcd');
  assert.equal(parseIP('2001:db8:0:0:1:0:0:1').toString(), '2001:db8::1:0:0:1');
  assert.equal(parseIP('2001:0db8:0000:0000:0000:0000:0000:0001').toString(), '2001:db8::1');
  assert.equal(parseIP('1:0:0:0:0:0:0:0').toString(), '1::');
  assert.equal(parseIP('64:ff9b::1.2.3.4').toString(), '64:ff9b::102:304');
  assert.equal(parseIP('1:2:3:4:5:6:7:8').toString(), '1:2:3:4:5:6:7:8');
  for (const bad of [':::1', '1::2::3', '12345::', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', 'g::1', '1:', '::1.2.3', '1:2:3:4:5:6:7::8', '::01.2.3.4']) {
    assert.equal(isIP(bad), false, bad);
  }
  assert.throws(() => netipParseAddr('1::2::3'), /multiple :: in address/);
});

test('zones and IPv4-mapped IPv6 addresses are not allowed', () => {
  assert.throws(() => parseIP('fe80::1%eth0'), /with zone value is not allowed/);
  assert.throws(() => parseIP('::ffff:1.2.3.4'), /IPv4-mapped IPv6 address "::ffff:1.2.3.4" is not allowed/);
  assert.throws(() => parseIP('%eth0'), /missing IPv6 address/);
  assert.throws(() => parseIP('127.0.0.256'), /IP Address "127.0.0.256" parse error during conversion from string/);
});

test('address classification matches netip', () => {
  assert.equal(parseIP('0.0.0.0').isUnspecified(), true);
  assert.equal(parseIP('::').isUnspecified(), true);
  assert.equal(parseIP('127.0.0.1').isUnspecified(), false);
  assert.equal(parseIP('127.1.2.3').isLoopback(), true);
  assert.equal(parseIP('::1').isLoopback(), true);
  assert.equal(parseIP('192.168.0.1').isLoopback(), false);
  assert.equal(parseIP('224.0.0.1').isLinkLocalMulticast(), true);
  assert.equal(parseIP('224.0.1.1').isLinkLocalMulticast(), false);
  assert.equal(parseIP('ff02::1').isLinkLocalMulticast(), true);
  assert.equal(parseIP('fd00::1').isLinkLocalMulticast(), false);
  assert.equal(parseIP('169.254.169.254').isLinkLocalUnicast(), true);
  assert.equal(parseIP('fe80::1').isLinkLocalUnicast(), true);
  assert.equal(parseIP('fd80::1').isLinkLocalUnicast(), false);
  assert.equal(parseIP('192.168.0.1').isGlobalUnicast(), true);
  assert.equal(parseIP('10.0.0.1').isGlobalUnicast(), true);
  assert.equal(parseIP('255.255.255.255').isGlobalUnicast(), false);
  assert.equal(parseIP('2001:db8::abcd').isGlobalUnicast(), true);
  assert.equal(parseIP('ff00::1').isGlobalUnicast(), false);
  assert.equal(parseIP('fe80::1').isGlobalUnicast(), false);
});

test('canonical form check', () => {
  assert.equal(ipIsCanonical('127.0.0.1'), true);
  assert.equal(ipIsCanonical('2001:db8::abcd'), true);
  assert.equal(ipIsCanonical('2001:DB8::ABCD'), false);
  assert.equal(ipIsCanonical('2001:db8::0:0:0:abcd'), false);
});

test('CIDR parsing: bits without sign or leading zeros, range-checked, no zones', () => {
  assert.equal(parseCIDR('10.0.0.0/8').toString(), '10.0.0.0/8');
  assert.equal(parseCIDR('192.168.1.5/24').toString(), '192.168.1.5/24');
  assert.equal(parseCIDR('192.168.1.5/24').masked().toString(), '192.168.1.0/24');
  assert.equal(parseCIDR('2001:db8::1/32').masked().toString(), '2001:db8::/32');
  assert.equal(parseCIDR('0.0.0.0/0').bits, 0);
  for (const bad of ['10.0.0.0', '10.0.0.0/33', '10.0.0.0/08', '10.0.0.0/+8', '10.0.0.0/-1', '::/129', 'fe80::1%eth0/64', '::ffff:1.2.3.4/120', '10.0.0.0/', '10.0.0/8']) {
    assert.equal(isCIDR(bad), false, bad);
  }
  assert.throws(() => parseCIDR('10.0.0.0/33'), /prefix length out of range/);
  assert.throws(() => parseCIDR('::ffff:1.2.3.4/120'), /IPv4-mapped IPv6 address/);
});

test('CIDR containment', () => {
  const c = parseCIDR('10.0.0.0/8');
  assert.equal(c.containsIP(parseIP('10.255.0.1')), true);
  assert.equal(c.containsIP(parseIP('11.0.0.1')), false);
  assert.equal(c.containsIP(parseIP('::1')), false);
  assert.equal(c.containsCIDR(parseCIDR('10.1.0.0/16')), true);
  assert.equal(c.containsCIDR(parseCIDR('10.0.0.0/8')), true);
  assert.equal(c.containsCIDR(parseCIDR('10.0.0.0/7')), false);
  assert.equal(c.containsCIDR(parseCIDR('11.0.0.0/16')), false);
  assert.equal(parseCIDR('2001:db8::/32').containsIP(parseIP('2001:db8:1::1')), true);
  assert.equal(parseCIDR('192.168.1.5/24').addr.toString(), '192.168.1.5');
});
