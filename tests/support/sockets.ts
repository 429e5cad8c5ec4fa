/**
 * The kernel's view of TCP sockets (Linux /proc/net/tcp and /proc/net/tcp6): which addresses a
 * port is really bound to, and which listening sockets this process owns.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface TcpSocket {
  /** Local address as text: `127.0.0.1`, `0.0.0.0`, `::1`, `::`, `::ffff:127.0.0.1`, … */
  address: string;
  port: number;
  /** The kernel's state code; `0A` is LISTEN. */
  state: string;
  inode: number;
}

export const TCP_LISTEN = '0A';

/**
 * One `local_address` field: IPv4 is one 32-bit word, IPv6 four, each printed as hex in the host's
 * byte order (little-endian here), then `:PORT` in big-endian hex.
 */
export function decodeProcAddress(field: string): { address: string; port: number } {
  const [hex, portHex] = field.split(':') as [string, string];
  const words = hex.match(/.{8}/g)!.map((w) => Buffer.from(w, 'hex').reverse());
  const bytes = Buffer.concat(words);
  let address: string;
  if (bytes.length === 4) {
    address = [...bytes].join('.');
  } else {
    const groups = Array.from({ length: 8 }, (_, i) => bytes.readUInt16BE(i * 2));
    const mapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
    address = mapped ? `::ffff:${[...bytes.subarray(12)].join('.')}` : compressIPv6(groups);
  }
  return { address, port: parseInt(portHex, 16) };
}

function compressIPv6(groups: number[]): string {
  const text = groups.map((g) => g.toString(16));
  // The longest run of zero groups becomes `::` (RFC 5952).
  let best = { start: -1, length: 0 };
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length && j - i > 1) best = { start: i, length: j - i };
    i = j;
  }
  if (best.start < 0) return text.join(':');
  return `${text.slice(0, best.start).join(':')}::${text.slice(best.start + best.length).join(':')}`;
}

/** Parses the text of /proc/net/tcp or /proc/net/tcp6. */
export function parseProcNetTcp(text: string): TcpSocket[] {
  return text
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((cols) => cols.length >= 10)
    .map((cols) => ({ ...decodeProcAddress(cols[1]!), state: cols[3]!, inode: Number(cols[9]) }));
}

/** Every TCP socket on the machine (in this network namespace), IPv4 and IPv6. */
export function tcpSockets(): TcpSocket[] {
  return ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((file) => parseProcNetTcp(readFileSync(file, 'utf8')));
}

/** Inodes of the sockets process `pid` (this one by default) has open (/proc/PID/fd → `socket:[inode]`). */
export function ownSocketInodes(pid: number | 'self' = 'self'): Set<number> {
  const inodes = new Set<number>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(Number(m[1]));
    } catch {
      // the fd closed while we listed the directory
    }
  }
  return inodes;
}

/** The listening TCP sockets process `pid` (this one by default) owns, as the kernel reports them. */
export function ownListeningSockets(pid: number | 'self' = 'self'): TcpSocket[] {
  const own = ownSocketInodes(pid);
  return tcpSockets().filter((s) => s.state === TCP_LISTEN && own.has(s.inode));
}
