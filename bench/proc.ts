/** Process measurements from /proc (Linux): CPU seconds and peak resident memory of a child process or a service. */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

const TICKS = 100; // USER_HZ on Linux

export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS; // utime + stime
}

/** Peak RSS (VmHWM) in MiB. */
export function peakRssMiB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

/** CPU seconds so far of a service started by scripts/services.sh (NaN when it was not started there). */
export function serviceCpu(service: string): number {
  const file = path.join(process.env.KCONNECT_SERVICES_DIR ?? path.resolve(__dirname, '../../.services'), 'run', `${service}.pid`);
  if (!existsSync(file)) return Number.NaN;
  try {
    return cpuSeconds(Number(readFileSync(file, 'utf8').trim()));
  } catch {
    return Number.NaN;
  }
}
