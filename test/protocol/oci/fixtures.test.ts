// Every shared OCI fixture read through the protocol core, with concrete expected values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { Decimal } from 'decimal.js';
import { checkReturnUrl, readOciCall, type OciCall } from '../../../src/protocol/oci/inbound-call.js';
import { pairsFromHtmlForm, readOciCartForm, type OciReadResult } from '../../../src/protocol/oci/cart-form-reader.js';

const FIXTURES = new URL('../../../../shared/fixtures/oci/', import.meta.url);
const text = (name: string): string => readFileSync(new URL(name, FIXTURES), 'utf8');
const cart = (name: string, tolerant = true): OciReadResult => readOciCartForm(pairsFromHtmlForm(text(name)), { tolerant });
const eq = (actual: Decimal | undefined, expected: string): void => {
  assert.ok(actual, `expected ${expected}, got undefined`);
  assert.ok(actual.eq(expected), `expected ${expected}, got ${actual.toFixed()}`);
};

const HTML_CHECKS: Record<string, () => void> = {
  'meplato-longtext-name-variants.html': () => {
    const r = cart('meplato-longtext-name-variants.html');
    assert.equal(r.lines.length, 5);
    assert.deepEqual(r.lines.map((l) => l.index), [1, 2, 3, 4, 5]);
    assert.equal(r.lines[0]!.description, 'Apple MacBook Air 11"');
    eq(r.lines[1]!.price, '1799');
    eq(r.lines[1]!.quantity, '2');
    assert.equal(r.lines[4]!.vendorMat, 'IPHONE7+');
    assert.equal(r.lines[3]!.vendorMat, 'IPADPRO10/5');
    assert.deepEqual(
      r.lines.map((l) => l.longText),
      [
        'Ein tolles Notebook von Apple.',
        'Der elegante Desktop-Rechner von Apple.',
        'Der Profi-Rechner von Apple.',
        'Das Pro Tablet von Apple.',
        'Das iPhone 7 Plus. Weil größer ist besser.',
      ],
    );
    // One warning per broken spelling, naming it; none for the correct line 1.
    for (const variant of ['NEW_ITEM-LONGTEXT_2:132[2]', 'NEW_ITEM-LONGTEXT:132[3]', 'NEW_ITEM-LONGTEXT[4]', 'NEW_ITEM-LONGTEXT_5:132[][5]']) {
      assert.ok(r.warnings.some((w) => w.includes(`"${variant}"`)), `warning for ${variant}`);
    }
    assert.equal(r.warnings.length, 4);
    assert.ok(!r.warnings.some((w) => w.includes('LONGTEXT_1:132[]')));
    assert.equal(r.lines[0]!.fields.LONGTEXT, undefined, 'long text is not one of the fields');
    assert.deepEqual(r.other, []);

    // Strict: only the correct spelling counts.
    const strict = cart('meplato-longtext-name-variants.html', false);
    assert.deepEqual(
      strict.lines.map((l) => l.longText),
      ['Ein tolles Notebook von Apple.', undefined, undefined, undefined, undefined],
    );
    assert.equal(strict.other.length, 4);
    assert.equal(strict.warnings.length, 4);
  },

  'meplato-connect-background-search-response.html': () => {
    const r = cart('meplato-connect-background-search-response.html');
    assert.equal(r.lines.length, 2);
    assert.deepEqual(r.warnings, []);
    assert.deepEqual(r.other, []);
    const [a, b] = r.lines;
    assert.equal(a!.description, 'Apple MacBook Air 11"');
    eq(a!.price, '999.90');
    eq(a!.priceUnit, '1');
    assert.equal(a!.currency, 'EUR');
    assert.equal(a!.leadTimeDays, 7);
    assert.equal(a!.vendor, 'Apple');
    assert.equal(b!.description, 'Apple iMac 27"');
    eq(b!.quantity, '2');
    assert.equal(b!.longText, 'Der elegante Desktop-Rechner von Apple.');
    assert.equal(b!.matGroup, 'DESKTOP');
  },

  'meplato-real-world-background-search.html': () => {
    const r = cart('meplato-real-world-background-search.html');
    assert.equal(r.lines.length, 10);
    assert.deepEqual(r.warnings, []);
    const first = r.lines[0]!;
    // Zero-padded 15-character price and "1.0" quantities / price units.
    assert.equal(first.fields.PRICE, '00000001730.900');
    eq(first.price, '1730.9');
    eq(first.quantity, '1');
    eq(first.priceUnit, '1');
    assert.equal(first.description, 'MantisRegistered Elite Stereo-Betrachtungssystem mit Universalständer... E');
    assert.ok(first.description!.length > 40, 'real shops send descriptions longer than 40');
    assert.ok(first.longText!.startsWith('Klare, verzerrungsfreie, dreidimensionale'));
    assert.equal(first.manufactMat, '491901E');
    assert.equal(first.extProductId, '491901E');
    assert.equal(r.lines[3]!.unit, 'PA');
    eq(r.lines[3]!.price, '4.76');
    assert.equal(r.lines[2]!.leadTimeDays, 20);
    assert.equal(r.lines[7]!.extProductId, 'ECP55321E');
    assert.match(r.lines[7]!.longText!, /\n\s+• Material: Karton • Verschluß: Eckspanngummi • Format: A4$/);
    eq(r.lines[9]!.price, '11.87');
    // The paging extension and the Rails form extras are kept as other pairs.
    const other = new Map(r.other);
    assert.equal(other.get('HEADER-PAGE'), '1');
    assert.equal(other.get('HEADER-TOTAL_RESULTS'), '1081');
    assert.equal(other.get('_snowman'), '\u2603', 'numeric character reference decoded');
    assert.equal(r.other.length, 6);
  },

  'meplato-extensions-cart.html': () => {
    const r = cart('meplato-extensions-cart.html');
    assert.equal(r.lines.length, 10);
    assert.deepEqual(r.warnings, []);
    for (const line of r.lines) {
      assert.ok(line.longText && line.longText.length > 100, `line ${line.index} has its long text`);
      assert.equal(line.fields.MPS_SAGE_NUMBER, '80222');
      assert.equal(line.fields.MPS_SAGE_CONTRACT, 'AA03');
      assert.equal(line.fields.TAX_RATE, '0.19');
      assert.equal(line.fields.TAX_CODE, 'V19');
      assert.equal(line.fields.SOLD_BY, `Seller ${line.index}`);
      assert.equal(line.fields.FULFILLED_BY, `Fulfiller ${line.index}`);
      assert.equal(line.fields.CUST_FIELD30, '30th cust field with up to 100 characters');
    }
    assert.equal(r.lines[9]!.fields.CUST_FIELD50, '50th cust field with up to 100 characters');
    assert.equal(r.lines[0]!.fields.CUST_FIELD50, undefined);
    eq(r.lines[1]!.price, '1944.65');
    assert.equal(r.lines[8]!.description, 'Ordnungsmappe Ordonator, A4, 7 Fächer, blau');
  },
};

const EXAMPLE_PLACEHOLDERS: Record<string, string> = {
  '<sender id>': 'SENDER1',
  '<password>': 'ifs-secret',
  '<user name>': 'ifsuser',
  '<vendor>': 'V100',
  '<url endpoint>': 'https://ifs.example/oci/cancel',
  '<redirect url>': 'https://ifs.example/main/oci/return',
  '<query parameters>': '42',
};

interface Example {
  id: string;
  method?: string;
  params?: Record<string, string>;
  url?: string;
  url_template?: string;
}

/** Per-example expectations; each is checked for GET and POST when the example has params. */
const EXAMPLE_CHECKS: Record<string, (c: OciCall) => void> = {
  'sap-46c-call-structure': (c) => {
    assert.equal(c.hookUrl, '(type 4, filled at runtime; the name is catalog specific, e.g. MM_HOOK_URL for the SAP product catalog)');
    assert.deepEqual(c.echo, [
      { name: '~OkCode', value: 'ADDI' },
      { name: '~Target', value: '_top' },
      { name: '~ForceTarget', value: 'Yes' },
    ]);
    assert.deepEqual(c.okCode, { name: '~OkCode', value: 'ADDI' });
    assert.equal(c.target, '_top');
    assert.equal(c.username, undefined);
  },
  'srm-ebp-outbound-section': (c) => {
    assert.equal(c.username, '<login>');
    assert.equal(c.password, '<password>');
    assert.equal(c.hookUrl, '<url-encoded return URL>');
    assert.deepEqual(c.echo.map((e) => e.name), ['~OkCode', '~TARGET', '~CALLER']);
    assert.equal(c.target, '_top (catalog must default to _top if absent)');
  },
  'srm7-like-call-buyerquest': (c) => {
    assert.equal(c.username, 'Disney_UAT', 'lower-case "username" matches USERNAME');
    assert.equal(c.password, 'Disney_UAT');
    assert.equal(c.hookUrl, 'https://uadmin.punchoutcatalogs.net/gate/index.php/admin/testconn/response/');
    assert.equal(c.target, '_parent');
    assert.equal(c.ociVersion, '4.0');
    assert.deepEqual(c.echo, []);
    assert.equal(c.params.find((p) => p.name === 'sap-client')?.value, '001');
    assert.equal(c.params.find((p) => p.name === 'email')?.value, 'ociTester@buyerquest.net');
    assert.equal(c.params.length, 14);
  },
  'ifs-cloud-oci-url': (c) => {
    assert.equal(c.method, 'GET');
    assert.equal(c.hookUrl, 'https://ifs.example/main/oci/return?uniqueid=42');
    assert.equal(c.username, 'ifsuser');
    assert.equal(c.password, 'ifs-secret');
    assert.equal(c.ociVersion, '4.0');
    assert.equal(c.vendor, 'V100');
    assert.equal(c.params.find((p) => p.name === 'OCICANCEL')?.value, 'https://ifs.example/oci/cancel');
    assert.equal(c.params.find((p) => p.name === 'ACCOUNT_CODE')?.value, '');
    assert.equal(c.target, undefined);
    assert.ok(c.warnings.some((w) => w.includes('password')), 'credentials in the query are flagged');
  },
  'djust-post': (c) => {
    assert.equal(c.username, 'client_username');
    assert.equal(c.password, 'client_password');
    assert.equal(c.hookUrl, 'https://eprocurement.com/return');
    assert.equal(c.target, '_self', 'RETURNTARGET in upper case');
    assert.equal(c.params.find((p) => p.name === 'EDI')?.value, '123456789');
  },
  'gatebold-clean': (c) => {
    assert.equal(c.hookUrl, 'https://srm.acme.fr/punchout/return');
    assert.equal(c.username, 'buyer-acme');
    assert.equal(c.password, 'demoSecret');
    assert.deepEqual(c.echo, [
      { name: '~OkCode', value: 'ADDI' },
      { name: '~Target', value: '_top' },
      { name: '~Caller', value: 'CTLG' },
    ]);
    assert.equal(c.target, '_top');
    assert.equal(c.params.find((p) => p.name === 'LANGU')?.value, 'FR');
  },
  'function-detail': (c) => {
    assert.equal(c.function, 'DETAIL');
    assert.equal(c.productId, '50123');
    assert.equal(c.hookUrl, 'https://test.de');
    assert.equal(c.username, 'Beispiel');
  },
  'function-validate': (c) => {
    assert.equal(c.function, 'VALIDATE');
    assert.equal(c.productId, '<EXT_PRODUCT_ID sent earlier>');
    assert.equal(c.quantity, '<qty>');
    assert.equal(c.hookUrl, '...');
  },
  'function-background-search': (c) => {
    assert.equal(c.function, 'BACKGROUND_SEARCH');
    assert.equal(c.searchString, 'toner');
    assert.equal(c.hookUrl, 'http://return.to/me');
    assert.equal(c.username, undefined);
  },
  'spryker-codeception-fixture': (c) => {
    assert.equal(c.hookUrl, 'http://localhost:8899/simulator/cart/receive.php');
    assert.equal(c.username, 'user_1');
    assert.equal(c.password, 'user_1_pass');
    assert.equal(c.params.find((p) => p.name === 'first_name')?.value, 'Oci');
  },
};

const HTTP_HOOKS = new Set([
  'srm7-like-call-buyerquest',
  'ifs-cloud-oci-url',
  'djust-post',
  'gatebold-clean',
  'function-detail',
  'function-background-search',
  'spryker-codeception-fixture',
]);

function checkExamples(): void {
  const data = JSON.parse(text('inbound-call-examples.json')) as { examples: Example[] };
  assert.deepEqual(data.examples.map((e) => e.id).sort(), Object.keys(EXAMPLE_CHECKS).sort(), 'every example has a check');
  for (const ex of data.examples) {
    const check = EXAMPLE_CHECKS[ex.id]!;
    const calls: OciCall[] = [];
    if (ex.params) {
      // Encoded by an independent encoder (URLSearchParams), sent both ways.
      const encoded = new URLSearchParams(ex.params).toString();
      calls.push(readOciCall({ method: 'GET', rawQuery: encoded }));
      calls.push(readOciCall({ method: 'POST', rawQuery: '', rawBody: encoded }));
    } else {
      let url = ex.url ?? ex.url_template!;
      for (const [k, v] of Object.entries(EXAMPLE_PLACEHOLDERS)) url = url.split(k).join(v);
      assert.ok(!url.includes('<'), `all placeholders of ${ex.id} replaced`);
      calls.push(readOciCall({ method: 'GET', rawQuery: url.slice(url.indexOf('?') + 1) }));
    }
    for (const call of calls) {
      try {
        check(call);
      } catch (err) {
        (err as Error).message = `${ex.id} (${call.method}): ${(err as Error).message}`;
        throw err;
      }
      if (HTTP_HOOKS.has(ex.id)) {
        assert.deepEqual(checkReturnUrl(call.hookUrl!, ['http://', 'https://']), { ok: true }, `${ex.id} hook URL accepted`);
      }
    }
  }
}

test('every file in the shared OCI fixture folder is checked', () => {
  const files = readdirSync(FIXTURES).filter((f) => f !== 'README.md').sort();
  assert.deepEqual(files, [...Object.keys(HTML_CHECKS), 'inbound-call-examples.json'].sort());
});

for (const [name, check] of Object.entries(HTML_CHECKS)) {
  test(`fixture ${name}`, check);
}

test('fixture inbound-call-examples.json: every example through readOciCall', checkExamples);
