import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_DEMO_SEED, DEMO_CATEGORIES, generateDemoCatalog } from '../../src/store/demo-catalog.js';
import { dec } from '../../src/protocol/money.js';
import { isKnownUnitCode } from '../../src/protocol/units.js';

const catalog = generateDemoCatalog();

test('the demo catalog has enough products across all categories', () => {
  assert.ok(catalog.length >= 240, `only ${catalog.length} products`);
  const categories = new Set(catalog.map((p) => p.category));
  assert.deepEqual([...categories].sort(), [...DEMO_CATEGORIES].sort());
  for (const c of DEMO_CATEGORIES) {
    assert.ok(catalog.filter((p) => p.category === c).length >= 15, `category ${c} is thin`);
  }
});

test('SKUs are unique and look like KP-10001', () => {
  const skus = catalog.map((p) => p.sku);
  assert.equal(new Set(skus).size, skus.length);
  for (const sku of skus) assert.match(sku, /^KP-\d{5}$/);
  assert.equal(skus[0], 'KP-10001');
});

test('same seed, same catalog; another seed changes prices but not the assortment', () => {
  assert.deepEqual(generateDemoCatalog(), catalog);
  assert.deepEqual(generateDemoCatalog(DEFAULT_DEMO_SEED), catalog);
  assert.deepEqual(generateDemoCatalog(42), generateDemoCatalog(42));
  const other = generateDemoCatalog(42);
  assert.deepEqual(other.map((p) => [p.sku, p.name]), catalog.map((p) => [p.sku, p.name]));
  assert.notDeepEqual(other.map((p) => p.price), catalog.map((p) => p.price));
});

test('prices are positive EUR decimals with 2 to 4 places, some below a cent', () => {
  for (const p of catalog) {
    assert.match(p.price, /^\d+\.\d{2,4}$/, `${p.sku} price ${p.price}`);
    assert.ok(dec(p.price).greaterThan(0), `${p.sku} price ${p.price}`);
    assert.equal(p.currency, 'EUR');
  }
  const subCent = catalog.filter((p) => dec(p.price).decimalPlaces() > 3);
  assert.ok(subCent.length >= 2, 'expected per-piece items priced with 4 decimals');
  assert.ok(catalog.some((p) => p.price === '0.0125'), 'labels at 0.0125 per piece');
  // Colour variants of one line cost the same.
  const blue = catalog.find((p) => p.name === 'Ballpoint pen, retractable, blue, 0.7 mm, pack of 10');
  const black = catalog.find((p) => p.name === 'Ballpoint pen, retractable, black, 0.7 mm, pack of 10');
  assert.equal(blue?.price, black?.price);
});

test('classification and units are real codes', () => {
  for (const p of catalog) {
    assert.match(p.unspsc, /^\d{8}$/, `${p.sku} unspsc ${p.unspsc}`);
    assert.ok(isKnownUnitCode(p.unit), `${p.sku} unit ${p.unit}`);
  }
  const units = new Set(catalog.map((p) => p.unit));
  for (const u of ['EA', 'PK', 'BX', 'RM', 'PR', 'SET', 'RO']) assert.ok(units.has(u), `no product sold per ${u}`);
});

test('the data exercises limits: long names, special characters, stock states', () => {
  assert.ok(catalog.filter((p) => p.name.length > 40).length >= 10, 'names longer than the OCI 40-character limit');
  assert.ok(catalog.some((p) => /[^\x00-\x7f]/.test(p.description)), 'non-ASCII in descriptions');
  assert.ok(catalog.some((p) => p.description.includes('&')), '& in descriptions');
  assert.ok(catalog.some((p) => p.description.includes('"')), 'quotes in descriptions');
  assert.ok(catalog.some((p) => p.name.includes('"')), 'quotes in names');
  assert.ok(catalog.filter((p) => p.stock === 0).length >= 3, 'some out of stock');
  assert.ok(catalog.filter((p) => p.stock > 0 && p.stock < 10).length >= 3, 'some low stock');
  for (const p of catalog) {
    assert.ok(Number.isInteger(p.stock) && p.stock >= 0, `${p.sku} stock ${p.stock}`);
    assert.ok(Number.isInteger(p.leadTimeDays) && p.leadTimeDays >= 1 && p.leadTimeDays <= 14, `${p.sku} lead time ${p.leadTimeDays}`);
    assert.ok(p.description.length > p.name.length / 2 && /\.$/.test(p.description), `${p.sku} description`);
    assert.ok(p.manufacturer && p.manufacturerPartId, `${p.sku} manufacturer`);
  }
});

test('every seed still shows out-of-stock and low-stock products', () => {
  for (const seed of [0, 1, 2, 3, 99, 4294967295]) {
    const c = generateDemoCatalog(seed);
    assert.ok(c.filter((p) => p.stock === 0).length >= 3, `seed ${seed}`);
    assert.ok(c.filter((p) => p.stock > 0 && p.stock < 10).length >= 3, `seed ${seed}`);
    for (const p of c) assert.ok(dec(p.price).greaterThan(0), `seed ${seed} ${p.sku} ${p.price}`);
  }
});
