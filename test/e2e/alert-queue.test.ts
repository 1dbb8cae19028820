// The alert queue a person can keep clear (issue #15): lines of one cause grouped and acted on together,
// several lines acknowledged with one note, and nothing shifting under the mouse after an Ack.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, openApp, requireTool, wsCall } from '../helpers';

describe.runIf(requireTool('chromium'))('the alert queue in the browser', () => {
  let app: Awaited<ReturnType<typeof openApp>>;
  let page: Page;
  let osmandPort: number;
  let url: string;

  /** A vehicle driving into a fence: 200 m outside, then at its centre 10 s later (72 km/h). */
  const enter = async (id: string, lat: number, lon: number) => {
    const t = Math.floor(Date.now() / 1000) - 60;
    for (const [i, la] of [lat + 0.0018, lat].entries()) {
      const res = await fetch(`http://127.0.0.1:${osmandPort}/?id=${id}&lat=${la}&lon=${lon}&speed=20&timestamp=${t + i * 10}`);
      expect(res.status).toBe(200);
    }
  };

  beforeAll(async () => {
    osmandPort = await freePort();
    app = await openApp(['--osmand-port', String(osmandPort), '--allow-anonymous'], { viewport: { width: 1280, height: 720 } });
    ({ page, url } = app);
  });

  afterAll(async () => {
    await app?.close();
  });

  it('groups four vehicles entering one zone, opens the group, acknowledges two with one note, and no row moves until the pointer leaves', async () => {
    await wsCall(url, 'saveGeofence', { name: 'No-go Q', category: 'restricted', geometry: { type: 'Circle', center: [-1.6, 52.2], radiusM: 100 } });
    await wsCall(url, 'saveGeofence', { name: 'Gate Q', category: 'restricted', geometry: { type: 'Circle', center: [-1.5, 52.1], radiusM: 100 } });
    for (const id of ['GRP-1', 'GRP-2', 'GRP-3', 'GRP-4']) await enter(id, 52.2, -1.6);
    await enter('LONE-1', 52.1, -1.5);
    const group = page.locator('li.alert-group');
    await expect.poll(() => group.locator('.msg').textContent(), { timeout: 10_000 }).toBe('4 vehicles — Fence entered: No-go Q');
    const top = page.locator('ul.alert-list > li.alert[data-alert-id]');
    await expect.poll(() => top.count()).toBe(1); // Gate Q's one line stands alone
    expect(await top.textContent()).toContain('LONE-1 entered Gate Q');

    await page.getByRole('button', { name: 'Open group 4 vehicles — Fence entered: No-go Q' }).click();
    const members = group.locator('.group-members > li.alert');
    expect(await members.count()).toBe(4);
    const ids = await members.evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-alert-id'))));
    await page.getByLabel(`Select alert ${ids[0]}`).check();
    await page.getByLabel(`Select alert ${ids[1]}`).check();
    const bar = page.getByRole('group', { name: 'Selected alerts' });
    expect(await bar.locator('b').textContent()).toBe('2 selected');
    const third = group.locator(`li[data-alert-id="${ids[2]}"]`);
    const before = (await third.boundingBox())!.y;
    await bar.getByLabel('Note for the selected alerts').fill('police informed');
    await bar.getByRole('button', { name: 'Ack', exact: true }).click();
    // both marked as handled where they were; the line below has not moved under the mouse
    await expect.poll(() => group.locator(`li[data-alert-id="${ids[0]}"]`).getAttribute('class')).toContain('acked');
    await expect.poll(() => group.locator(`li[data-alert-id="${ids[1]}"] .note-mark`).getAttribute('title')).toBe('police informed');
    expect((await third.boundingBox())!.y).toBe(before);
    expect(await bar.count()).toBe(0);

    // once the pointer leaves the list they go: two lines of the cause remain, too few to group
    await page.mouse.move(5, 5);
    await expect.poll(() => page.locator(`li.alert[data-alert-id="${ids[0]}"]`).count()).toBe(0);
    await expect.poll(() => group.count()).toBe(0);
    expect(await top.count()).toBe(3);
    const stored = (await wsCall(url, 'listAlerts', { includeAcknowledged: true, types: ['geofence_enter'] })) as { id: number; note: string | null; acknowledgedBy: string | null }[];
    expect(stored.filter((a) => a.note === 'police informed').map((a) => a.id).sort()).toEqual([ids[0], ids[1]].sort());
    expect(await page.getByRole('tab', { name: /^Alerts/ }).textContent()).toContain('3');
    await page.screenshot({ path: 'test-results/e2e-alert-queue.png' });
  });

  it('a single Ack leaves its row in place, marked, until the pointer leaves the list', async () => {
    const rows = page.locator('ul.alert-list > li.alert[data-alert-id]');
    await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(2);
    const firstId = Number(await rows.nth(0).getAttribute('data-alert-id'));
    const secondY = (await rows.nth(1).boundingBox())!.y;
    await page.getByRole('button', { name: `Acknowledge alert ${firstId}` }).click();
    await expect.poll(() => rows.nth(0).locator('.alert-meta').textContent()).toContain('ack dispatcher');
    expect((await rows.nth(1).boundingBox())!.y).toBe(secondY);
    await page.mouse.move(5, 5);
    await expect.poll(() => page.locator(`li.alert[data-alert-id="${firstId}"]`).count()).toBe(0);
  });
});
