// A peer's address as NetFlow compares it: sockets bound to IPv6 report IPv4 peers as
// IPv4-mapped IPv6 (::ffff:192.0.2.1); routers, proxies and providers are listed by plain IPv4.

/** An IPv4-mapped IPv6 address as plain IPv4; any other address unchanged. */
export function plainIp(ip: string): string {
  if (!ip.startsWith('::')) return ip; // the RADIUS path calls this per packet: most addresses stop here
  return ip.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
}
