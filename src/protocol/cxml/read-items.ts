/**
 * Readers for line items: ItemID, ItemDetail, ItemIn (cart lines), ItemOut (order lines and the
 * earlier cart of an edit/inspect setup request), Distribution.
 */
import type {
  AccountingSegment,
  Classification,
  Distribution,
  ItemDetail,
  ItemID,
  ItemIn,
  ItemOut,
  PriceBasisQuantity,
} from './model.js';
import { fail, show, type Node } from './read-context.js';
import {
  clean,
  readAddressWrapper,
  readComments,
  readContact,
  readDescription,
  readExtrinsics,
  readShipping,
  readTax,
  wrappedMoney,
} from './read-common.js';

/**
 * SupplierPartAuxiliaryID is an opaque round-trip key: kept exactly as sent (whitespace too),
 * like BuyerCookie. SupplierPartID and BuyerPartID are ordinary trimmed text.
 */
export function readItemID(node: Node): ItemID {
  const partNode = node.child('SupplierPartID');
  return clean<ItemID>({
    supplierPartID: partNode ? partNode.text().trim() : '',
    supplierPartAuxiliaryID: node.child('SupplierPartAuxiliaryID')?.text(),
    buyerPartID: node.childText('BuyerPartID'),
  });
}

export function readItemDetail(node: Node): ItemDetail {
  const { ctx, path } = node;
  const descriptions = node.all('Description').map(readDescription);
  if (descriptions.length === 0) fail(406, path, 'element Description is required');
  const classifications = node.all('Classification').map(readClassification);
  if (classifications.length === 0) {
    ctx.warn(`${path}/Classification`, 'Classification is required by the DTD; none given', 406);
  }
  const uom = node.requiredChild('UnitOfMeasure').text().trim();
  if (uom === '') ctx.warn(`${path}/UnitOfMeasure`, 'UnitOfMeasure is empty', 406);
  const pbq = node.child('PriceBasisQuantity');
  const leadTime = node.child('LeadTime');
  return clean<ItemDetail>({
    unitPrice: wrappedMoney(node.requiredChild('UnitPrice')),
    descriptions,
    unitOfMeasure: uom,
    priceBasisQuantity: pbq && readPriceBasisQuantity(pbq),
    classifications,
    manufacturerPartID: node.childText('ManufacturerPartID'),
    manufacturerName: node.childText('ManufacturerName'),
    url: node.childText('URL'),
    leadTime: leadTime && readLeadTime(leadTime),
    extrinsics: readExtrinsics(node),
  });
}

/** LeadTime is informational: a value that is not whole days is reported, not fatal. */
function readLeadTime(node: Node): number | undefined {
  const text = node.text().trim();
  if (/^\d{1,9}$/.test(text)) return Number.parseInt(text, 10);
  node.ctx.warn(node.path, `LeadTime ${show(text)} is not a whole number of days; ignored`);
  return undefined;
}

function readPriceBasisQuantity(node: Node): PriceBasisQuantity {
  const { ctx, path } = node;
  return {
    quantity: ctx.quantity(node.requiredAttr('quantity'), `${path}@quantity`),
    conversionFactor: ctx.decimal(node.requiredAttr('conversionFactor'), `${path}@conversionFactor`, 'conversionFactor'),
    unitOfMeasure: node.requiredChild('UnitOfMeasure').text().trim(),
  };
}

/** The code is the element text; the optional `code` attribute (newer DTDs) stands in when it is empty. */
function readClassification(node: Node): Classification {
  const text = node.text().trim();
  return { domain: node.expectedAttr('domain'), code: text !== '' ? text : (node.attr('code') ?? '') };
}

function readDistribution(node: Node): Distribution {
  const accounting = node.requiredChild('Accounting');
  const segments: AccountingSegment[] = [
    ...accounting.all('Segment').map((s) =>
      clean<AccountingSegment>({ type: s.attr('type'), id: s.expectedAttr('id'), description: s.attr('description') }),
    ),
    // The newer form names the segment type in Name and explains the value in Description.
    ...accounting.all('AccountingSegment').map((s) =>
      clean<AccountingSegment>({
        type: s.childText('Name'),
        id: s.expectedAttr('id'),
        description: s.childText('Description'),
      }),
    ),
  ];
  if (segments.length === 0) {
    fail(406, accounting.path, 'Accounting needs at least one Segment or AccountingSegment');
  }
  return {
    accountingName: accounting.expectedAttr('name'),
    segments,
    charge: wrappedMoney(node.requiredChild('Charge')),
  };
}

/** Line attributes shared by ItemIn and ItemOut. */
function lineNumber(node: Node, attr: string): number | undefined {
  const v = node.attr(attr);
  return v === undefined ? undefined : node.ctx.integer(v, `${node.path}@${attr}`, attr);
}

export function readItemIn(node: Node): ItemIn {
  const { ctx, path } = node;
  const shipping = node.child('Shipping');
  const tax = node.child('Tax');
  const comments = node.child('Comments');
  const itemID = readItemID(node.requiredChild('ItemID'));
  if (itemID.supplierPartID === '') fail(400, `${path}/ItemID`, 'SupplierPartID is missing or empty');
  return clean<ItemIn>({
    quantity: ctx.quantity(node.requiredAttr('quantity'), `${path}@quantity`),
    lineNumber: lineNumber(node, 'lineNumber'),
    parentLineNumber: lineNumber(node, 'parentLineNumber'),
    itemType: node.attr('itemType'),
    itemClassification: node.attr('itemClassification'),
    itemID,
    itemDetail: readItemDetail(node.requiredChild('ItemDetail')),
    shipping: shipping && readShipping(shipping),
    tax: tax && readTax(tax),
    comments: comments && readComments(comments),
    extrinsics: readExtrinsics(node),
  });
}

/**
 * An order line. Ad-hoc lines (`isAdHoc="yes"`) may come without a SupplierPartID; any other line
 * without one cannot be matched to a product and is refused (400) naming the line.
 */
export function readItemOut(node: Node): ItemOut {
  const { ctx, path } = node;
  const isAdHocRaw = node.attr('isAdHoc');
  if (isAdHocRaw !== undefined && isAdHocRaw !== 'yes') {
    ctx.warn(`${path}@isAdHoc`, `isAdHoc ${show(isAdHocRaw)} is not "yes"; the line is not ad hoc`, 406);
  }
  const isAdHoc = isAdHocRaw === 'yes';
  const itemID = readItemID(node.requiredChild('ItemID'));
  if (itemID.supplierPartID === '' && !isAdHoc) {
    const line = node.attr('lineNumber');
    const label = line === undefined ? '(no lineNumber)' : /^\d{1,9}$/.test(line) ? line : show(line);
    fail(400, `${path}/ItemID`, `line ${label} has no SupplierPartID and is not marked isAdHoc="yes"`);
  }
  const requested = node.attr('requestedDeliveryDate');
  const detail = node.child('ItemDetail');
  const shipTo = node.child('ShipTo');
  const shipping = node.child('Shipping');
  const tax = node.child('Tax');
  return clean<ItemOut>({
    quantity: ctx.quantity(node.requiredAttr('quantity'), `${path}@quantity`),
    lineNumber: lineNumber(node, 'lineNumber'),
    requestedDeliveryDate: requested === undefined ? undefined : ctx.timestamp(requested, `${path}@requestedDeliveryDate`),
    isAdHoc,
    operation: node.attr('operation'),
    itemID,
    itemDetail: detail && readItemDetail(detail),
    shipTo: shipTo && readAddressWrapper(shipTo),
    shipping: shipping && readShipping(shipping),
    tax: tax && readTax(tax),
    distributions: node.all('Distribution').map(readDistribution),
    contacts: node.all('Contact').map(readContact),
    comments: node.all('Comments').map(readComments),
    extrinsics: readExtrinsics(node),
  });
}
