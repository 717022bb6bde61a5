import { readdirSync } from 'node:fs';
import { setPriority } from 'node:os';

/** The lowest CPU priority Linux has: such a thread runs on CPU that nothing else wants. */
export const HELPER_THREAD_NICE = 19;

/**
 * Gives every thread of this process except the main one the lowest CPU priority (Linux only).
 *
 * Why: an edit's delivery time is the main thread's time: it receives the edit, commits it and
 * sends it on. Beside it, V8 runs its optimizing compiler and parts of its garbage collector on
 * helper threads, and they become runnable at the same moments the clients do. On a 2-core box,
 * three runnable threads on two cores made the kernel park the main thread for a time slice:
 * 2-5 ms stalls in the middle of a broadcast, at the same update counts run after run (the
 * counts at which the JIT optimizes a function), with the main thread off the CPU and a
 * compiler thread on it (perf sched). Lowered, those threads use spare CPU only; their work
 * still gets done, only later when the CPU is contended.
 *
 * Meant for a process that is the hub's own (`boardhub serve`), called once at start. Lowered is
 * every thread there is at that moment but the main one: V8's helper threads and, once anything
 * used it, libuv's pool (file and DNS work, which mostly waits on I/O, not on the CPU). Threads
 * the main thread starts later inherit its normal priority; the checkpoint worker lowers its own
 * (storage/checkpointer.ts).
 * Returns how many threads were lowered: 0 where /proc/self/task does not exist (macOS,
 * Windows), where nothing can be changed.
 */
export function lowerHelperThreadPriority(nice = HELPER_THREAD_NICE): number {
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return 0;
  }
  let lowered = 0;
  for (const tid of tids) {
    const id = Number(tid);
    // On Linux the main thread's id is the process id.
    if (!Number.isInteger(id) || id === process.pid) continue;
    try {
      // setpriority(PRIO_PROCESS, tid) sets that one thread's nice value on Linux.
      setPriority(id, nice);
      lowered++;
    } catch {
      // The thread ended since the listing, or the system refuses: it keeps its priority.
    }
  }
  return lowered;
}
