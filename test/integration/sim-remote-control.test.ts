import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrng, randomValue } from '../../firmware-sim/index.js';
import { checkArguments, checkPropertyValue, compileSpec } from '../../src/registry/spec/index.js';
import { EcohubClient } from '../../src/sdk/index.js';
import { claim } from '../support/devices.js';
import { newUser, nextEvent, startHub, type TestHub } from '../support/hub.js';
import { fixture, quietDevice } from './sim-support.js';

/** Every example model but the "S" variant (which needs its parent published first). */
const MODELS = readdirSync(new URL('../../examples/models/', import.meta.url))
  .filter((file) => file.endsWith('.json') && file !== 'acme.light.bulb1s.json')
  .map((file) => file.replace(/\.json$/, ''));

describe('simulated devices through the phone command path', () => {
  let hub: TestHub;
  let user: Awaited<ReturnType<typeof newUser>>;
  let phone: EcohubClient;
  beforeAll(async () => {
    hub = await startHub();
    user = await newUser(hub);
    phone = await EcohubClient.login(hub.httpUrl, user.email, user.password, { mqttUrl: hub.mqttUrl });
    await phone.connect();
  });
  afterAll(async () => {
    await phone.close();
    await hub.stop();
  });

  it.each(MODELS)(
    '%s: set is applied and reflected, get reads it back, every action answers outputs that fit',
    async (file) => {
      const { spec, devices } = await fixture(hub, file);
      const device = devices[0];
      if (!device) throw new Error('no device');
      await claim(hub, user.token, device);
      const sim = quietDevice(hub.mqttUrl, spec, device);
      await sim.start();
      const compiled = compileSpec(spec);
      const rng = createPrng(7);

      // A sensor has nothing to set; every other example has writable properties.
      const writable = compiled.properties.filter((p) => p.writable);
      const props: Record<string, unknown> = {};
      for (const p of writable) props[p.key] = randomValue(p, rng);
      if (writable.length > 0) {
        // Only notify properties appear in reports; the others are read back with get below.
        const notify = writable.filter((p) => p.notifiable);
        const reflected =
          notify.length > 0
            ? nextEvent(
                hub,
                'reported',
                (r) => r.deviceId === device.id && notify.every((p) => p.key in r.props),
              )
            : Promise.resolve({ props: {} as Record<string, unknown> });
        expect(await phone.command(device.id, { op: 'set', props })).toMatchObject({ status: 'ok' });
        const report = await reflected;
        for (const p of notify) expect(report.props[p.key], p.key).toEqual(props[p.key]);
        const state = await phone.device(device.id);
        for (const p of notify) expect(state.desired[p.key], `desired ${p.key} cleared`).toBeUndefined();
      }

      const readable = writable.filter((p) => p.readable).map((p) => p.key);
      if (readable.length > 0) {
        const got = await phone.command(device.id, { op: 'get', props: readable });
        expect((got.data as { props: Record<string, unknown> }).props).toEqual(
          Object.fromEntries(readable.map((k) => [k, props[k]])),
        );
      }

      for (const action of compiled.actions) {
        const inputs = action.in.map((p) => ({ piid: p.piid, value: randomValue(p, rng) }));
        const result = await phone.command(device.id, { op: 'action', action: action.key, in: inputs });
        expect(result.status).toBe('ok');
        const out = (result.data as { out: Array<{ piid: number; value: unknown }> }).out;
        expect(
          checkArguments(
            compiled,
            action.siid,
            action.out.map((p) => p.piid),
            out,
          ),
          action.key,
        ).toEqual([]);
        for (const o of out) {
          const prop = compiled.propertyByIid(action.siid, o.piid);
          expect(prop && checkPropertyValue(prop, o.value)).toBeUndefined();
        }
      }
      await sim.stop();
    },
  );
});
