import { describe, expect, it } from 'vitest';
import { ecohubName, isStandardType, parseTypeUrn, typeNameOf } from '../../../src/registry/spec/index.js';

describe('MIoT type URNs', () => {
  it('parses standard and vendor types, with and without product, version and template', () => {
    expect(parseTypeUrn('urn:miot-spec-v2:property:on:00000006:xiaomi-04:1:0000D032')).toEqual({
      ok: true,
      urn: {
        namespace: 'miot-spec-v2',
        kind: 'property',
        name: 'on',
        id: '00000006',
        product: 'xiaomi-04',
        version: 1,
        rest: ['0000D032'],
        standard: true,
      },
    });
    expect(parseTypeUrn('urn:zhimi-spec:service:custom-service:00007801')).toMatchObject({
      ok: true,
      urn: { namespace: 'zhimi-spec', standard: false, product: undefined, version: undefined },
    });
  });

  it.each([
    ['urn:miot-spec-v2:device:light', /is not a type URN/],
    ['urn:acme:service:light:00007802', /namespace "acme"/],
    ['urn:miot-spec-v2:widget:light:00007802', /kind "widget"/],
    ['urn:miot-spec-v2:service::00007802', /type name ""/],
    ['urn:miot-spec-v2:action:toggle:2811', /type id "2811"/],
    ['urn:miot-spec-v2:action:toggle:00002811:acme-x:one', /version "one"/],
    ['urn:miot-spec-v2:action:toggle:00002811:acme-x:1:', /trailing part/],
  ])('refuses %s, naming the wrong part', (urn, problem) => {
    const parsed = parseTypeUrn(urn);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.problem).toMatch(problem);
  });

  it('names types the ecohub way', () => {
    expect(ecohubName('pm2.5-density')).toBe('pm25-density');
    expect(ecohubName('on')).toBe('on');
    expect(ecohubName('ColorTemp')).toBe('color-temp');
    expect(ecohubName('motor_speed')).toBe('motor-speed');
  });

  it('takes the type name from the type, or the name without one; vendor types are not standard', () => {
    expect(typeNameOf({ name: 'switch-3', type: 'urn:miot-spec-v2:service:switch:0000780C:x-y:1' })).toBe(
      'switch',
    );
    expect(typeNameOf({ name: 'pm25', type: 'urn:miot-spec-v2:property:pm2.5-density:00000034' })).toBe(
      'pm25-density',
    );
    expect(typeNameOf({ name: 'light' })).toBe('light');
    expect(isStandardType({ name: 'light' })).toBe(true);
    expect(isStandardType({ name: 'light', type: 'urn:acme-spec:service:light:00000001' })).toBe(false);
    expect(isStandardType({ name: 'light', type: 'not a urn' })).toBe(false);
  });
});
