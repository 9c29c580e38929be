// The batch side of a one-machine Atelier at a lower CPU priority: while jobs run, the processes people wait on (the
// API, PostgreSQL, the browser) get a core first, and the Temporal dev server, the workers and the demo stand-ins take
// what is left, which is most of it (the API is idle most of the time). bench:events on 2 cores, 100 jobs at once:
// event p99 55–112 ms with every process alike, 25–37 ms with the batch side at nice 10 (the burst took as long).
//
// On Linux each supervised process leads a session of its own (it is spawned detached), and with autogroup scheduling
// (`kernel.sched_autogroup_enabled`, on by default in most distributions' kernels) CPU is shared between sessions
// first: a thread's nice then only weighs against the threads of its own session. So the session's nice is set too
// (/proc/<pid>/autogroup). Where there is no autogroup (macOS, a kernel without it) the threads' nice does it; threads
// started later inherit it from the thread that starts them.
import fs from 'node:fs';
import os from 'node:os';

/** The threads of a process as setpriority(2) names them: on Linux each thread has its own priority. */
function threadsOf(pid: number): number[] {
  try {
    return fs.readdirSync(`/proc/${pid}/task`).map(Number);
  } catch {
    return [pid];
  }
}

/** the autogroup (session) a process is scheduled in and its nice, from `/autogroup-85 nice 0` */
function autogroupOf(pid: number): { group: string; nice: number } | undefined {
  try {
    const [group, , nice] = fs.readFileSync(`/proc/${pid}/autogroup`, 'utf8').trim().split(' ');
    return group ? { group, nice: Number(nice) } : undefined;
  } catch {
    return undefined;
  }
}

function autogroupEnabled(): boolean {
  try {
    return fs.readFileSync('/proc/sys/kernel/sched_autogroup_enabled', 'utf8').trim() === '1';
  } catch {
    return false;
  }
}

/**
 * Lowers a process's CPU priority to `nice` (1–19). Resolves undefined when done, or what could not be done (a
 * container may forbid it): the process then runs at the priority it has, which is not an error.
 */
export async function lowerCpuPriority(pid: number, nice: number): Promise<string | undefined> {
  const problems = new Set<string>();
  for (const tid of threadsOf(pid)) {
    try {
      os.setPriority(tid, nice);
    } catch (error) {
      // a thread that ended meanwhile has nothing to lower
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') problems.add((error as Error).message);
    }
  }
  // a process in the caller's own session shares its group: lowering that would lower the caller and all its kin
  const session = autogroupEnabled() ? autogroupOf(pid) : undefined;
  if (session && session.group !== autogroupOf(process.pid)?.group) {
    // without CAP_SYS_ADMIN the kernel takes one such change every 100 ms and answers EAGAIN to the others
    for (let attempt = 0; ; attempt += 1) {
      try {
        fs.writeFileSync(`/proc/${pid}/autogroup`, String(nice));
        break;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN' && attempt < 20) { await new Promise((r) => setTimeout(r, 110)); continue; }
        if (code !== 'ENOENT' && code !== 'ESRCH') problems.add(`its session's nice (/proc/${pid}/autogroup): ${(error as Error).message}`);
        break;
      }
    }
  }
  return problems.size ? [...problems].join('; ') : undefined;
}

/** A process's nice as the scheduler applies it: its threads' and, under autogroup, its session's. */
export function cpuPriorityOf(pid: number): { threads: number[]; session?: number } {
  const threads = threadsOf(pid).flatMap((tid) => {
    try {
      return [os.getPriority(tid)];
    } catch {
      return [];
    }
  });
  const session = autogroupEnabled() ? autogroupOf(pid)?.nice : undefined;
  return { threads, session: Number.isFinite(session) ? session : undefined };
}
