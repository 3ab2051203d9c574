import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { asPage, collectPages, MAX_PAGES, nextPagePath } from '../../web/src/api/pages.js';
import { readDeviceEvent } from '../../web/src/api/types.js';
import {
  cardLayout,
  chartable,
  controlKind,
  formatValue,
  numberFromText,
  propertyControl,
  SLIDER_MAX_STEPS,
  snap,
} from '../../web/src/spec/controls.js';
import { decimalsOf, humanize, unitSymbol } from '../../web/src/spec/labels.js';
import { readModel } from '../../web/src/spec/model.js';

const examples = new URL('../../examples/models/', import.meta.url);
function example(file: string): unknown {
  return JSON.parse(readFileSync(new URL(`${file}.json`, examples), 'utf8'));
}

describe('controls generated from a model spec', () => {
  it('maps every property of the bulbs as the MIoT-to-Home-Assistant mapping does', () => {
    const spec = readModel(example('acme.light.bulb1s'));
    const kinds = Object.fromEntries(spec.properties.map((p) => [p.key, controlKind(p)]));
    expect(kinds).toEqual({
      'device-information.manufacturer': 'value',
      'device-information.model': 'value',
      'device-information.serial-number': 'value',
      'device-information.firmware-revision': 'value',
      'light.on': 'switch',
      'light.brightness': 'slider', // [1, 100, 1]: 99 steps
      'light.color-temperature': 'number', // [2700, 6500, 1]: too fine to drag
      'light.fault': 'value',
      'light.color': 'color', // unit rgb
      'light.mode': 'select',
    });
    const layout = cardLayout(spec);
    expect(layout.map((s) => s.service)).toEqual(['light', 'device-information']);
    expect(layout[0]?.actions.map((a) => a.label)).toEqual(['Toggle']);
  });

  it('gives parameter-only properties no row, but a field in the action that takes them', () => {
    const speaker = readModel(example('acme.speaker.s1'));
    const layout = cardLayout(speaker);
    expect(layout.flatMap((s) => s.controls).map((c) => c.prop.key)).not.toContain(
      'intelligent-speaker.text-content',
    );
    const playText = layout
      .flatMap((s) => s.actions)
      .find((a) => a.action.key === 'intelligent-speaker.play-text');
    expect(playText?.inputs.map((i) => [i.prop.key, i.kind])).toEqual([
      ['intelligent-speaker.text-content', 'text'],
    ]);
  });

  it('reads int64 values beyond 2^53 as decimal strings, and smaller ones as numbers', () => {
    const spec = readModel(example('acme.light.bulb1'));
    const wide = {
      ...propertyControl(spec.property('light.brightness')!),
      prop: {
        ...spec.property('light.brightness')!,
        wide: { formatMin: -(2n ** 63n), formatMax: 2n ** 63n - 1n, range: undefined },
      },
    };
    expect(numberFromText(wide, '9007199254740993')).toBe('9007199254740993');
    expect(numberFromText(wide, '-0042')).toBe(-42);
    expect(numberFromText(wide, '12.5')).toBe(12.5);
    expect(formatValue(wide, '9007199254740993')).toBe('9007199254740993 %');
  });

  it('picks controls that need no current value for write-only properties', () => {
    const spec = readModel(example('acme.curtain.c1'));
    expect(controlKind(spec.property('curtain.motor-control')!)).toBe('buttons');
    expect(controlKind(spec.property('curtain.target-position')!)).toBe('slider');
    const moveTo = cardLayout(spec)[0]?.actions.find((a) => a.action.key === 'curtain.move-to');
    expect(moveTo?.inputs.map((i) => [i.prop.key, i.kind])).toEqual([['curtain.target-position', 'slider']]);
  });

  it('every example model: every property gets a control, every writable one an operable one', () => {
    const files = readdirSync(examples).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      const spec = readModel(example(file.slice(0, -5)));
      const layout = cardLayout(spec);
      const shown = layout.flatMap((s) => s.controls.map((c) => c.prop.key));
      // Parameter-only properties (no access) are action and event arguments, not card rows.
      const rows = spec.properties.filter((p) => !p.parameterOnly).map((p) => p.key);
      expect(shown.sort(), file).toEqual(rows.sort());
      for (const control of layout.flatMap((s) => s.controls)) {
        if (!control.prop.writable) continue;
        expect(control.kind, `${file} ${control.prop.key}`).not.toBe('value');
        if (control.kind === 'slider') {
          expect(control.max, control.prop.key).toBeGreaterThan(control.min);
          expect((control.max - control.min) / control.step).toBeLessThanOrEqual(SLIDER_MAX_STEPS);
        }
      }
    }
  });

  it('snaps to the step grid within the range, floats included', () => {
    const spec = readModel(example('acme.temperature-humidity-sensor.th1'));
    const temperature = propertyControl(spec.property('temperature-humidity-sensor.temperature')!, true);
    expect(snap(temperature, 21.34)).toBe(21.3);
    expect(snap(temperature, 0.1 + 0.2)).toBe(0.3);
    expect(snap(temperature, 999)).toBe(125);
    expect(snap(temperature, -999)).toBe(-40);
    const brightness = propertyControl(readModel(example('acme.light.bulb1')).property('light.brightness')!);
    expect(snap(brightness, 50.4)).toBe(50);
    expect(snap(brightness, 0)).toBe(1);
    expect(snap({ ...brightness, min: 0, max: 10, step: 3 }, 10)).toBe(9);
  });

  it('formats values the way a person reads them', () => {
    const plug = readModel(example('acme.plug.p1'));
    const power = propertyControl(plug.property('power-consumption.electric-power')!);
    expect(formatValue(power, 1234.5)).toBe('1,234.5 W');
    const purifier = readModel(example('acme.air-purifier.ap1'));
    expect(formatValue(propertyControl(purifier.property('air-purifier.mode')!), 2)).toBe('Favorite');
    expect(formatValue(propertyControl(purifier.property('air-purifier.on')!), true)).toBe('On');
    expect(formatValue(propertyControl(purifier.property('environment.pm25-density')!), 12)).toBe('12 µg/m³');
    expect(formatValue(propertyControl(purifier.property('environment.pm25-density')!), undefined)).toBe('—');
    const bulb = readModel(example('acme.light.bulb1s'));
    expect(formatValue(propertyControl(bulb.property('light.color')!), 0xff8800)).toBe('#FF8800');
    expect(chartable(purifier).map((p) => p.key)).toEqual([
      'air-purifier.fan-level',
      'environment.pm25-density',
      'filter.filter-life-level',
      'filter.filter-used-time',
    ]);
  });

  it('labels and units', () => {
    expect(humanize('pm25-density')).toBe('PM2.5 density');
    expect(humanize('on')).toBe('Power');
    expect(humanize('filter-life-level')).toBe('Filter life level');
    expect(unitSymbol('celsius')).toBe('°C');
    expect(unitSymbol('none')).toBe('');
    expect(unitSymbol(undefined)).toBe('');
    expect(decimalsOf(0.01, true)).toBe(2);
    expect(decimalsOf(1e-7, true)).toBe(7);
    expect(decimalsOf(5, false)).toBe(0);
  });

  it('refuses a document that is not a model, naming where', () => {
    expect(() => readModel({ model: 'x' })).toThrow(/\/document/);
  });
});

describe('list responses: bare arrays today, { items, next } pages tomorrow', () => {
  it('reads a bare array, a wrapped array and a page', () => {
    expect(asPage([1, 2])).toEqual({ items: [1, 2], next: null });
    expect(asPage({ devices: [1] }, 'devices')).toEqual({ items: [1], next: null });
    expect(asPage({ entries: [1], next: 7 }, 'entries')).toEqual({ items: [1], next: 7 });
    expect(asPage({ items: [1], next: 'abc' })).toEqual({ items: [1], next: 'abc' });
    expect(() => asPage({ other: [] }, 'devices')).toThrow(/expected a list/);
  });

  it('follows next until the last page, as a cursor or as a path', async () => {
    const pages: Record<string, unknown> = {
      '/v1/homes?limit=2': { items: ['a', 'b'], next: 'c1' },
      '/v1/homes?limit=2&cursor=c1': { items: ['c'], next: '/v1/homes?limit=2&cursor=c2' },
      '/v1/homes?limit=2&cursor=c2': { items: ['d'], next: null },
    };
    const asked: string[] = [];
    const items = await collectPages('/v1/homes?limit=2', async (path) => {
      asked.push(path);
      return pages[path];
    });
    expect(items).toEqual(['a', 'b', 'c', 'd']);
    expect(asked).toHaveLength(3);
    expect(nextPagePath('/v1/x', 7)).toBe('/v1/x?cursor=7');
  });

  it('stops on a cursor that repeats or never ends', async () => {
    let calls = 0;
    const repeating = await collectPages('/v1/x', async () => {
      calls++;
      return { items: [calls], next: 'same' };
    });
    expect(repeating).toEqual([1, 2]);
    let endless = 0;
    await collectPages('/v1/y', async () => ({ items: [1], next: `n${++endless}` }));
    expect(endless).toBe(MAX_PAGES);
  });
});

describe('events from REST and MQTT', () => {
  it('reads arguments named `arguments` (hub today) or `args` (devices)', () => {
    const rest = readDeviceEvent({
      event: 'light.fault-occurred',
      ts: 't',
      seq: 1,
      arguments: [{ piid: 4, value: 1 }],
    });
    const live = readDeviceEvent({
      event: 'light.fault-occurred',
      at: 't',
      seq: 2,
      args: [{ piid: 4, value: 0 }],
    });
    expect(rest.args).toEqual([{ piid: 4, value: 1 }]);
    expect(live).toEqual({ event: 'light.fault-occurred', ts: 't', seq: 2, args: [{ piid: 4, value: 0 }] });
  });
});
