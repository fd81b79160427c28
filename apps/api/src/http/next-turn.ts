let turn: Promise<void> | undefined;

/**
 * Resolves in the check phase of this event-loop turn, one promise shared by every caller of
 * the turn. An answer that needs no I/O (an L1 hit) waits for it, so that the answers to all
 * the requests read in one poll phase are written together after it, rather than each inside
 * its own socket's read callback: L1 hits went from 13.0k to 22.8k requests/s on this machine
 * (`npm run bench -- --only l1-direct`; docs/performance.md), for a delay of one turn.
 */
export function nextTurn(): Promise<void> {
  turn ??= new Promise((resolve) =>
    setImmediate(() => {
      turn = undefined;
      resolve();
    }),
  );
  return turn;
}
