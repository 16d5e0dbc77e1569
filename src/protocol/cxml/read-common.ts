/**
 * Readers for the building blocks shared by several cXML payloads: addresses, contacts, money
 * wrappers, tax, shipping, comments, extrinsics, descriptions.
 */
import type {
  Address,
  Comments,
  Contact,
  Description,
  Extrinsic,
  MoneyAmount,
  Phone,
  PostalAddress,
  Shipping,
  Status,
  Tax,
  TaxDetail,
} from './model.js';
import type { Node } from './read-context.js';

/**
 * A copy without the properties that are undefined, so optional fields are absent rather than
 * present-but-undefined (copying keeps objects fast; `delete` would not).
 */
export function clean<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const key in value) {
    const v = value[key];
    if (v !== undefined) out[key] = v;
  }
  return out as T;
}

/** `Total`, `Charge`, `UnitPrice`… : the Money inside a wrapper element. */
export function wrappedMoney(wrapper: Node): MoneyAmount {
  return wrapper.requiredChild('Money').money();
}

export function readExtrinsics(parent: Node): Extrinsic[] {
  return parent.all('Extrinsic').map((e) => ({ name: e.expectedAttr('name'), value: e.text().trim() }));
}

/** Mixed content: the text outside ShortName is `text`, ShortName is separate. */
export function readDescription(node: Node): Description {
  let lang = node.attr('xml:lang');
  if (lang === undefined) {
    node.ctx.warn(`${node.path}@xml:lang`, 'Description needs xml:lang; the document language is used', 406);
    lang = node.ctx.lang ?? '';
  }
  return clean<Description>({ lang, text: node.ownText().trim(), shortName: node.childText('ShortName') });
}

/** A required free-text Description (Tax, Shipping): its text, or '' with a warning when absent. */
function descriptionText(parent: Node): string {
  const d = parent.child('Description');
  if (d === undefined) {
    parent.ctx.warn(`${parent.path}/Description`, 'Description is required by the DTD; read as empty', 406);
    return '';
  }
  const { text, shortName } = readDescription(d);
  return text !== '' ? text : (shortName ?? '');
}

export function readStatus(node: Node): Status {
  const code = node.ctx.integer(node.requiredAttr('code'), `${node.path}@code`, 'status code');
  const detail = node.text().trim();
  return clean<Status>({
    code,
    text: node.expectedAttr('text'),
    detail: detail === '' ? undefined : detail,
    lang: node.attr('xml:lang'),
  });
}

export function readPhone(node: Node): Phone {
  const tel = node.child('TelephoneNumber');
  return clean<Phone>({
    name: node.attr('name'),
    countryCode: tel?.childText('CountryCode'),
    isoCountryCode: tel?.child('CountryCode')?.attr('isoCountryCode'),
    areaOrCityCode: tel?.childText('AreaOrCityCode'),
    number: tel?.childText('Number'),
    extension: tel?.childText('Extension'),
  });
}

export function readPostalAddress(node: Node): PostalAddress {
  const country = node.child('Country');
  return clean<PostalAddress>({
    name: node.attr('name'),
    deliverTo: node.childTexts('DeliverTo'),
    street: node.childTexts('Street'),
    city: node.childText('City'),
    municipality: node.childText('Municipality'),
    state: node.childText('State'),
    postalCode: node.childText('PostalCode'),
    country: country?.text().trim() || undefined,
    countryCode: country?.attr('isoCountryCode'),
  });
}

function nameText(node: Node): string {
  const name = node.child('Name');
  if (name === undefined) {
    node.ctx.warn(`${node.path}/Name`, 'Name is required by the DTD; read as empty', 406);
    return '';
  }
  return name.text().trim();
}

export function readAddress(node: Node): Address {
  const postal = node.child('PostalAddress');
  const phone = node.child('Phone');
  const fax = node.child('Fax');
  return clean<Address>({
    name: nameText(node),
    isoCountryCode: node.attr('isoCountryCode'),
    addressID: node.attr('addressID'),
    addressIDDomain: node.attr('addressIDDomain'),
    postalAddress: postal && readPostalAddress(postal),
    email: node.childText('Email'),
    phone: phone && readPhone(phone),
    fax: fax && readPhone(fax),
    url: node.childText('URL'),
  });
}

/** `ShipTo` / `BillTo`: the Address inside. */
export function readAddressWrapper(node: Node): Address {
  return readAddress(node.requiredChild('Address'));
}

export function readContact(node: Node): Contact {
  const phone = node.child('Phone');
  const postal = node.child('PostalAddress');
  return clean<Contact>({
    role: node.attr('role'),
    name: nameText(node),
    email: node.childText('Email'),
    phone: phone && readPhone(phone),
    postalAddress: postal && readPostalAddress(postal),
  });
}

export function readComments(node: Node): Comments {
  return clean<Comments>({
    lang: node.attr('xml:lang'),
    text: node.ownText().trim(),
    attachmentUrls: node
      .all('Attachment')
      .map((a) => a.childText('URL'))
      .filter((u): u is string => u !== undefined),
  });
}

export function readShipping(node: Node): Shipping {
  return clean<Shipping>({
    money: node.requiredChild('Money').money(),
    description: descriptionText(node),
    trackingDomain: node.attr('trackingDomain'),
    trackingId: node.attr('trackingId'),
  });
}

export function readTax(node: Node): Tax {
  const money = node.requiredChild('Money').money();
  const detailNodes = node.all('TaxDetail');
  const details: TaxDetail[] = [];
  for (const d of detailNodes) {
    const detail = readTaxDetail(d, money, detailNodes.length === 1);
    if (detail) details.push(detail);
  }
  return { money, description: descriptionText(node), details };
}

/**
 * A TaxDetail. Real senders (Würth/Intershop) leave `TaxAmount/Money` empty; when the detail is
 * the only one, its amount is by definition the Tax amount, so that is used (with a warning).
 * An empty amount among several details cannot be inferred: that detail is dropped with a warning.
 */
function readTaxDetail(node: Node, taxMoney: MoneyAmount, only: boolean): TaxDetail | undefined {
  const { ctx, path } = node;
  const rate = node.attr('percentageRate');
  const taxable = node.child('TaxableAmount')?.child('Money');
  const amountWrapper = node.child('TaxAmount');
  if (amountWrapper === undefined) ctx.warn(`${path}/TaxAmount`, 'TaxAmount is required by the DTD; none given', 406);
  const amountNode = amountWrapper?.child('Money');
  let taxAmount: MoneyAmount;
  if (amountNode !== undefined && amountNode.text().trim() !== '') {
    taxAmount = amountNode.money();
  } else if (only) {
    // DTD-valid (Money is #PCDATA) and the inference is exact, so even strict mode accepts it.
    ctx.warn(`${path}/TaxAmount`, `TaxAmount is empty; the Tax amount ${taxMoney.raw} ${taxMoney.currency} is used`);
    taxAmount = taxMoney;
  } else {
    ctx.warn(`${path}/TaxAmount`, 'TaxAmount is empty; this TaxDetail is ignored');
    return undefined;
  }
  const description = node.child('Description');
  return clean<TaxDetail>({
    category: node.expectedAttr('category'),
    percentageRate: rate === undefined ? undefined : ctx.decimal(rate, `${path}@percentageRate`, 'percentageRate'),
    purpose: node.attr('purpose'),
    taxableAmount: taxable && taxable.text().trim() !== '' ? taxable.money() : undefined,
    taxAmount,
    description: description && (readDescription(description).text || undefined),
  });
}
