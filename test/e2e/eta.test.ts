// ETA in the real UI with the demo fleet: the selected van's ETA to a geofence, then to a point picked
// on the map; the map draws the line and says the ETA; the detail says how it was worked out.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp, requireTool } from '../helpers';

describe.runIf(requireTool('chromium'))('ETA in the browser', () => {
  let app: Awaited<ReturnType<typeof openApp>>;
  let page: Page;

  beforeAll(async () => {
    app = await openApp(['--demo', '--demo-vehicles', '5']);
    page = app.page;
  });

  afterAll(() => app?.close());

  it('shows the ETA to a geofence and to a picked point, on the map and in the detail', async () => {
    await page.locator('li[data-vehicle-id="VH-002"]').click();
    const detail = page.getByTestId('vehicle-detail');
    const select = detail.getByRole('combobox', { name: 'ETA destination' });
    const fenceOption = select.locator('option').nth(2); // the first geofence
    await select.selectOption({ index: 2 });
    const fenceName = (await fenceOption.textContent())!;
    const line = detail.locator('.eta-line');
    await expect.poll(() => line.textContent()).toMatch(/km (along the route|\(straight line × \d\.\d\d detour\)) at [\d.]+ km\/h · history [\d.]+ km\/h \((route|vehicle|fleet|default)\)/);
    const state = await line.getAttribute('data-state');
    expect(['en_route', 'arrived', 'stalled']).toContain(state);
    await expect.poll(() => page.locator('.map').getAttribute('data-eta')).toMatch(/^(\d+|arrived|stalled)$/);
    expect(await page.locator('.leaflet-tooltip', { hasText: fenceName.replace(' (route)', '') }).count()).toBeGreaterThan(0);

    // pick a point on the map
    await select.selectOption('__pick');
    expect(await detail.textContent()).toContain('Click the destination on the map');
    const box = (await page.locator('.map').boundingBox())!;
    await page.mouse.click(box.x + box.width * 0.8, box.y + box.height * 0.2);
    await expect.poll(() => select.inputValue()).toBe('__point');
    await expect.poll(() => page.locator('.leaflet-tooltip').filter({ hasText: /^-?\d+\.\d{5}, -?\d+\.\d{5}: / }).count()).toBe(1);
    await expect.poll(() => line.textContent()).toMatch(/km/);
    await page.screenshot({ path: 'test-results/e2e-eta.png' });
  });
});
