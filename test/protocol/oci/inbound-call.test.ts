import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkReturnUrl, readOciCall } from '../../../src/protocol/oci/inbound-call.js';

const get = (rawQuery: string, options = {}) => readOciCall({ method: 'GET', rawQuery }, options);

test('names match case-insensitively; credentials and hook field names are configurable', () => {
  for (const name of ['HOOK_URL', 'hook_url', 'Hook_Url']) {
    assert.equal(get(`${name}=https%3A%2F%2Fb.example%2Fr`).hookUrl, 'https://b.example/r');
  }
  const c = get('login=anna&Kennwort=geheim&MM_HOOK_URL=https%3A%2F%2Fb.example%2Fr&USERNAME=not-this', {
    usernameField: 'LOGIN',
    passwordField: 'kennwort',
    hookUrlField: 'mm_hook_url',
  });
  assert.equal(c.username, 'anna');
  assert.equal(c.password, 'geheim');
  assert.equal(c.hookUrl, 'https://b.example/r');
});

test('query and body are merged, the body wins, the method is kept', () => {
  const c = readOciCall({
    method: 'POST',
    rawQuery: 'USERNAME=fromquery&sap-client=100&HOOK_URL=https%3A%2F%2Fq.example%2F',
    rawBody: 'username=frombody&PASSWORD=pw&HOOK_URL=https%3A%2F%2Fb.example%2F',
  });
  assert.equal(c.method, 'POST');
  assert.equal(c.username, 'frombody');
  assert.equal(c.hookUrl, 'https://b.example/');
  assert.deepEqual(c.params, [
    { name: 'sap-client', value: '100' },
    { name: 'username', value: 'frombody' },
    { name: 'PASSWORD', value: 'pw' },
    { name: 'HOOK_URL', value: 'https://b.example/' },
  ]);
  assert.ok(c.warnings.some((w) => w.includes('"USERNAME" sent in query and body')));
  assert.ok(!c.warnings.some((w) => w.includes('password')), 'a password in the body is not flagged');
});

test('values are decoded exactly once: + and %-escapes, never twice', () => {
  const c = get('HOOK_URL=https%3A%2F%2Fb.example%2Fr%3Fq%3Da%2520b%26n%3D1&SEARCHSTRING=blue+pen%21&x=100%');
  assert.equal(c.hookUrl, 'https://b.example/r?q=a%20b&n=1');
  assert.equal(c.searchString, 'blue pen!');
  assert.equal(c.params.find((p) => p.name === 'x')?.value, '100%', 'a stray % stays literal');
});

test('UTF-8 escapes decode like URLSearchParams; Latin-1 bytes fall back with a warning', () => {
  const utf8 = get('fname=J%C3%BCrgen&lname=M%C3%BCller');
  const ref = new URLSearchParams('fname=J%C3%BCrgen&lname=M%C3%BCller');
  assert.equal(utf8.params[0]!.value, ref.get('fname'));
  assert.equal(utf8.params[1]!.value, 'Müller');
  const latin = get('lname=M%FCller');
  assert.equal(latin.params[0]!.value, 'Müller');
  assert.ok(latin.warnings.some((w) => w.includes('ISO-8859-1')));
  assert.equal(get('lname=M%FCller', { decoding: 'UTF-8' }).params[0]!.value, 'M\uFFFDller');
});

test('IFS quirk: HOOK_URL last and unencoded with its own query is taken as the raw remainder', () => {
  const c = get('USERNAME=u&PASSWORD=p&HOOK_URL=https://buyer.example/ret?uniqueid=42&x=1');
  assert.equal(c.hookUrl, 'https://buyer.example/ret?uniqueid=42&x=1');
  assert.equal(c.username, 'u');
  assert.equal(c.params.find((p) => p.name === 'x'), undefined, 'x belongs to the hook URL');
  assert.ok(c.warnings.some((w) => w.includes('unencoded')));
  // Verbatim: escapes inside the unencoded URL are the URL's own and stay.
  assert.equal(get('HOOK_URL=https://b.example/r?q=a%20b&y=2').hookUrl, 'https://b.example/r?q=a%20b&y=2');
});

test('a properly encoded HOOK_URL with a literal ? is not mistaken for the quirk', () => {
  const c = get('HOOK_URL=https://b.example/r?sap-client%3D100%26x%3D1&~OkCode=ADDI');
  assert.equal(c.hookUrl, 'https://b.example/r?sap-client=100&x=1');
  assert.deepEqual(c.okCode, { name: '~OkCode', value: 'ADDI' });
  const plain = get('HOOK_URL=https%3A%2F%2Fb.example%2Fr%3Fa%3D1&~OkCode=ADDI');
  assert.equal(plain.hookUrl, 'https://b.example/r?a=1');
  assert.equal(plain.echo.length, 1);
});

test('okCode, target and echo keep the received spelling; returntarget beats ~TARGET', () => {
  const c = get('~okcode=ADDI&~Target=_parent&~caller=CTLG&~FORCETARGET=Yes&ReturnTarget=_self');
  assert.deepEqual(c.okCode, { name: '~okcode', value: 'ADDI' });
  assert.equal(c.target, '_self');
  assert.deepEqual(c.echo, [
    { name: '~okcode', value: 'ADDI' },
    { name: '~Target', value: '_parent' },
    { name: '~caller', value: 'CTLG' },
    { name: '~FORCETARGET', value: 'Yes' },
  ]);
  assert.equal(get('%7ETARGET=_parent').target, '_parent', 'an encoded ~ in the name');
  assert.equal(get('%7ETARGET=_parent').echo[0]!.name, '~TARGET');
  assert.equal(get('USERNAME=a').target, undefined, 'no target: the caller defaults to _top');
  assert.equal(get('returntarget=&~TARGET=_parent').target, '_parent', 'an empty returntarget falls back');
});

test('FUNCTION, PRODUCTID, QUANTITY, SEARCHSTRING, OCI version and vendor', () => {
  const c = get('function=%20validate&productid=P-1&quantity=5&OCIVERSION=4.0&NEW_ITEM-VENDOR=4711');
  assert.equal(c.function, 'VALIDATE');
  assert.equal(c.productId, 'P-1');
  assert.equal(c.quantity, '5');
  assert.equal(c.ociVersion, '4.0');
  assert.equal(c.vendor, '4711');
  assert.equal(get('OCI_VERSION=5.0&VENDOR=9').ociVersion, '5.0');
  assert.equal(get('OCI_VERSION=5.0&VENDOR=9').vendor, '9');
});

test('a leading ? and empty pieces are ignored; a piece without = is an empty value', () => {
  const c = get('?&&USERNAME=a&&flag&');
  assert.deepEqual(c.params, [
    { name: 'USERNAME', value: 'a' },
    { name: 'flag', value: '' },
  ]);
});

test('checkReturnUrl: schemes', () => {
  const any = ['http://', 'https://'];
  assert.deepEqual(checkReturnUrl('https://b.example/r?x=1', any), { ok: true });
  assert.deepEqual(checkReturnUrl('http://localhost:8899/receive.php', any), { ok: true });
  for (const bad of ['javascript:alert(1)', 'JavaScript:alert(1)', 'data:text/html,<b>x</b>', 'vbscript:msgbox', 'ftp://b.example/', 'file:///etc/passwd', '//b.example/r', 'b.example/r']) {
    const r = checkReturnUrl(bad, ['*']);
    assert.equal(r.ok, false, bad);
  }
  assert.match((checkReturnUrl('javascript:alert(1)', ['*']) as { reason: string }).reason, /javascript/);
  assert.equal(checkReturnUrl('SAPEVENT:POST', any).ok, false);
  assert.deepEqual(checkReturnUrl('SAPEVENT:POST', any, { allowSapEvent: true }), { ok: true });
  assert.deepEqual(checkReturnUrl('sapevent:ADDI', [], { allowSapEvent: true }), { ok: true });
});

test('checkReturnUrl: tricks a browser would resolve differently are refused', () => {
  for (const bad of [
    ' https://b.example/',
    'https://b.example/\n',
    'java\tscript:alert(1)',
    'https://b.example@evil.test/',
    'https://b.example\\@evil.test/',
    'https:\\\\evil.test/',
    'https://',
  ]) {
    assert.equal(checkReturnUrl(bad, ['*']).ok, false, JSON.stringify(bad));
  }
});

test('checkReturnUrl: allowed prefixes', () => {
  const prefixes = ['https://srm.buyer.example/sap/bc/', 'https://*.ariba-like.example/', 'http://legacy.buyer.example'];
  const ok = (u: string) => checkReturnUrl(u, prefixes).ok;
  assert.equal(ok('https://srm.buyer.example/sap/bc/gui/sap/its/bbpsc02?sap-client=100'), true);
  assert.equal(ok('HTTPS://SRM.Buyer.Example/sap/bc/x'), true, 'scheme and host case-insensitive');
  assert.equal(ok('https://srm.buyer.example/SAP/bc/x'), false, 'path case-sensitive');
  assert.equal(ok('https://srm.buyer.example/other'), false);
  assert.equal(ok('https://srm.buyer.example.evil.test/sap/bc/'), false);
  assert.equal(ok('https://a.ariba-like.example/ret'), true);
  assert.equal(ok('https://ariba-like.example/ret'), false);
  assert.equal(ok('https://a.ariba-like.example.evil.test/ret'), false);
  assert.equal(ok('http://legacy.buyer.example/any?x'), true);
  assert.equal(ok('http://legacy.buyer.example.evil.test/'), false);
  assert.equal(ok('https://legacy.buyer.example/'), false, 'scheme must match');
  assert.equal(checkReturnUrl('https://b.example/', []).ok, false, 'no prefixes: nothing allowed');
  assert.equal(checkReturnUrl('http://b.example/', ['https://']).ok, false);
  assert.equal(checkReturnUrl('https://b.example/', ['https://']).ok, true);
});
