import { describe, expect, it } from 'vitest';
import { Gate, LoginGuard } from './login-guard';

describe('LoginGuard', () => {
  it('locks a user name after five failures in a minute, for 30 s, then twice as long after the next five', () => {
    const g = new LoginGuard();
    for (let i = 0; i < 4; i++) g.failed('V1', `10.0.0.${i}`, 1000 + i);
    expect(g.locked('V1', '10.0.0.9', 1010)).toBe(false);
    expect(g.failed('V1', '10.0.0.5', 1010)).toEqual(['V1']);
    expect(g.locked('V1', '10.0.0.9', 1011)).toBe(true);
    expect(g.locked('V1', '10.0.0.9', 1010 + 30_000)).toBe(false);
    for (let i = 0; i < 5; i++) g.failed('V1', `10.0.1.${i}`, 40_000 + i);
    expect(g.locked('V1', '10.0.0.9', 40_004 + 59_999)).toBe(true);
    expect(g.locked('V1', '10.0.0.9', 40_004 + 60_000)).toBe(false);
  });

  it('does not count failures older than the window, and forgets a name’s failures when it logs in', () => {
    const g = new LoginGuard();
    for (let i = 0; i < 4; i++) g.failed('V1', 'a', i * 20_000); // spread over 60 s: at most 3 in any minute
    expect(g.failed('V1', 'a', 80_001)).toEqual([]);
    g.succeeded('V1');
    for (let i = 0; i < 4; i++) g.failed('V1', 'a', 90_000 + i);
    expect(g.locked('V1', 'b', 90_010)).toBe(false);
  });

  it('locks an address only after many failures, as vehicles behind one NAT share it', () => {
    const g = new LoginGuard();
    for (let i = 0; i < 29; i++) g.failed(`V${i}`, '192.0.2.1', 1000 + i);
    expect(g.locked('V99', '192.0.2.1', 1100)).toBe(false);
    expect(g.failed('V30', '192.0.2.1', 1100)).toEqual(['192.0.2.1']);
    expect(g.locked('V99', '192.0.2.1', 1101)).toBe(true);
    expect(g.locked('V99', '192.0.2.2', 1101)).toBe(false);
  });
});

describe('Gate', () => {
  it('runs at most `limit` tasks at once, queues some and refuses the rest', async () => {
    const gate = new Gate(2, 1);
    let running = 0;
    let most = 0;
    const release: (() => void)[] = [];
    const task = () =>
      new Promise<string>((resolve) => {
        running++;
        most = Math.max(most, running);
        release.push(() => {
          running--;
          resolve('done');
        });
      });
    const runs = [gate.run(task), gate.run(task), gate.run(task), gate.run(task)];
    expect(await runs[3]).toBeNull(); // two running, one waiting: the fourth is refused
    while (release.length) {
      release.shift()!();
      await new Promise((r) => setTimeout(r, 0));
    }
    expect(await Promise.all(runs.slice(0, 3))).toEqual(['done', 'done', 'done']);
    expect(most).toBe(2);
  });
});
