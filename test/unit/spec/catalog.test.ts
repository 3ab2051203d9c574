import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type CatalogData,
  defaultCatalog,
  loadCatalog,
  validateModelJson,
} from '../../../src/registry/spec/index.js';

const examplesDir = new URL('../../../examples/models/', import.meta.url);
const examples = readdirSync(examplesDir)
  .filter((file) => file.endsWith('.json'))
  .map((file) => ({ file, text: readFileSync(new URL(file, examplesDir), 'utf8') }));

function minimalCatalog(): CatalogData {
  return {
    units: [{ id: 'percentage', symbol: '%', description: '' }],
    commonServices: [],
    categories: [{ id: 'light', name: { en: 'Light' }, description: '', services: [] }],
  };
}

describe('category catalog', () => {
  it('ships a category for every device type of the MIoT corpus, lock, and device-information for all', () => {
    expect([...defaultCatalog.categories.keys()].sort()).toEqual(
      [
        'air-purifier',
        'bath-heater',
        'bracelet',
        'camera',
        'curtain',
        'fan',
        'gateway',
        'heater',
        'humidifier',
        'light',
        'lock',
        'magnet-sensor',
        'motion-sensor',
        'plug',
        'remote-control',
        'speaker',
        'switch',
        'temperature-humidity-sensor',
        'thermostat',
        'vacuum',
        'watch',
      ].sort(),
    );
    expect(defaultCatalog.categoryForMiotType('outlet')?.id).toBe('plug');
    expect(defaultCatalog.categoryForMiotType('plug')).toBeUndefined();
    expect(defaultCatalog.unitFor('kWh')).toBe('kwh');
    expect(defaultCatalog.unitFor('\u03bcg/m3')).toBe('ug/m3');
    expect(defaultCatalog.unitFor('\u00b5g/m3')).toBe('ug/m3');
    expect(defaultCatalog.commonServices.map((s) => [s.name, s.properties.map((p) => p.name)])).toEqual([
      ['device-information', ['manufacturer', 'model', 'serial-number', 'firmware-revision']],
    ]);
    for (const unit of ['percentage', 'celsius', 'kelvin', 'ug/m3', 'mg/m3', 'kwh', 'none']) {
      expect(defaultCatalog.unitIds.has(unit)).toBe(true);
    }
  });

  it('fails loudly on broken catalog data', () => {
    expect(() => loadCatalog({ units: [] })).toThrow(/invalid category catalog/);
    const unknownUnit = minimalCatalog();
    unknownUnit.categories[0]!.services.push({
      name: 'light',
      required: true,
      description: '',
      properties: [{ name: 'brightness', required: false, unit: 'percent' }],
    });
    expect(() => loadCatalog(unknownUnit)).toThrow(/requires unknown unit percent/);
    const twice = minimalCatalog();
    twice.categories.push(twice.categories[0]!);
    expect(() => loadCatalog(twice)).toThrow(/category light is listed twice/);
    const sameMiotType = minimalCatalog();
    sameMiotType.categories.push({
      id: 'lamp',
      name: { en: 'Lamp' },
      description: '',
      miotTypes: ['light'],
      services: [],
    });
    expect(() => loadCatalog(sameMiotType)).toThrow(/MIoT type light maps to light and lamp/);
    const sameSpelling = minimalCatalog();
    sameSpelling.units.push({ id: 'percent', symbol: '%', description: '', aliases: ['percentage'] });
    expect(() => loadCatalog(sameSpelling)).toThrow(
      /unit spelling percentage is used by percentage and percent/,
    );
    expect(loadCatalog(minimalCatalog()).categories.has('light')).toBe(true);
  });

  it('has a valid example model for every category, named after its file', () => {
    for (const category of defaultCatalog.categories.keys()) {
      expect(examples.some((example) => example.file.startsWith(`acme.${category}.`))).toBe(true);
    }
    for (const { file, text } of examples) {
      const result = validateModelJson(text);
      expect(result.violations, file).toEqual([]);
      expect(result.ok && `${result.spec.model}.json`).toBe(file);
    }
  });

  it('lets a custom catalog drive the rules', () => {
    const light = examples.find((example) => example.file === 'acme.light.bulb1.json')!;
    const result = validateModelJson(light.text, { catalog: loadCatalog(minimalCatalog()) });
    // The minimal catalog knows only "percentage", so kelvin is now an unknown unit.
    expect(result.violations.map((v) => [v.rule, v.path])).toEqual([
      ['Q010', '/services/1/properties/2/unit'],
    ]);
  });
});
