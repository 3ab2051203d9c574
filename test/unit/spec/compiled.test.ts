import { describe, expect, it } from 'vitest';
import { compileSpec } from '../../../src/registry/spec/index.js';
import { lightProperty, lightService, validLight } from './fixtures.js';

describe('compileSpec', () => {
  const compiled = compileSpec(validLight());

  it('finds a property by service.property and by siid.piid, as the same object', () => {
    const byName = compiled.property('light.brightness');
    expect(byName).toMatchObject({
      key: 'light.brightness',
      iidKey: '2.2',
      siid: 2,
      piid: 2,
      format: 'uint8',
      kind: 'integer',
      readable: true,
      writable: true,
      notifiable: true,
      unit: 'percentage',
      formatMin: 0,
      formatMax: 255,
      range: { min: 1, max: 100, step: 1 },
      enumValues: undefined,
      maxLength: undefined,
    });
    expect(compiled.property('2.2')).toBe(byName);
    expect(compiled.propertyByIid(2, 2)).toBe(byName);
  });

  it('carries access flags, enums and maxLength', () => {
    expect(compiled.property('light.fault')).toMatchObject({
      readable: true,
      writable: false,
      notifiable: true,
    });
    expect([...(compiled.property('light.fault')?.enumValues ?? [])]).toEqual([0, 1]);
    expect(compiled.property('device-information.serial-number')).toMatchObject({
      iidKey: '1.3',
      kind: 'string',
      maxLength: 64,
      writable: false,
      formatMin: Number.NEGATIVE_INFINITY,
    });
  });

  it('finds actions and events by name and by iids, with their parameters resolved', () => {
    const toggle = compiled.action('light.toggle');
    expect(toggle).toMatchObject({ key: 'light.toggle', iidKey: '2.1', siid: 2, aiid: 1, in: [], out: [] });
    expect(compiled.action('2.1')).toBe(toggle);
    expect(compiled.actionByIid(2, 1)).toBe(toggle);

    const fault = compiled.event('light.fault-occurred');
    expect(fault?.arguments.map((argument) => argument.key)).toEqual(['light.fault']);
    expect(compiled.event('2.1')).toBe(fault);
    expect(compiled.eventByIid(2, 1)).toBe(fault);
  });

  it('answers undefined for unknown references and out-of-range iids', () => {
    expect(compiled.property('light.colour')).toBeUndefined();
    expect(compiled.property('9.9')).toBeUndefined();
    expect(compiled.propertyByIid(1, 65_536 + 2)).toBeUndefined(); // would alias 2.2 without the guard
    expect(compiled.propertyByIid(2.5, 1)).toBeUndefined();
    expect(compiled.action('light.on')).toBeUndefined();
    expect(compiled.eventByIid(2, 2)).toBeUndefined();
  });

  it('lists everything in document order', () => {
    expect(compiled.properties.map((p) => p.iidKey)).toEqual([
      '1.1',
      '1.2',
      '1.3',
      '1.4',
      '2.1',
      '2.2',
      '2.3',
      '2.4',
      '2.5',
    ]);
    expect(compiled.actions).toHaveLength(1);
    expect(compiled.events).toHaveLength(1);
  });

  it('throws on a spec validation would reject', () => {
    const duplicate = validLight();
    lightProperty(duplicate, 4).iid = 1;
    expect(() => compileSpec(duplicate)).toThrow(/not unique/);
    const dangling = validLight();
    lightService(dangling).events[0]!.arguments = [9];
    expect(() => compileSpec(dangling)).toThrow(/missing piid 2.9/);
  });
});
