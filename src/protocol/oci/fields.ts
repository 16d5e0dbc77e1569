/**
 * The OCI 4.0 NEW_ITEM field table (with the OCI 5.0 hierarchy fields) and the length rules.
 *
 * Every OCI field is CHAR with a hard maximum length; SAP cuts or drops silently, so Koppel cuts
 * itself and reports it. Lengths are counted in UTF-16 code units because that is how ABAP
 * counts characters (a character outside the BMP occupies two); cuts never split a surrogate
 * pair or a grapheme cluster.
 */

/** How a field's value is written. */
export type OciFieldKind = 'text' | 'code' | 'decimal' | 'integer' | 'flag';

export interface OciFieldSpec {
  /** Name between `NEW_ITEM-` and `[n]`. */
  readonly field: string;
  /** Hard maximum length (characters); `undefined` = unlimited (long text). */
  readonly maxLength: number | undefined;
  readonly kind: OciFieldKind;
}

/** The long-text pseudo field; written as `NEW_ITEM-LONGTEXT_n:132[]`. */
export const LONGTEXT = 'LONGTEXT';

/**
 * All OCI 4.0 NEW_ITEM fields in the order Koppel emits them (oci.md §3.2).
 * `code` fields are identifiers that must not be cut (cutting `EACH` to `EAC` invents a unit).
 */
export const OCI_ITEM_FIELDS: readonly OciFieldSpec[] = [
  { field: 'DESCRIPTION', maxLength: 40, kind: 'text' },
  { field: 'MATNR', maxLength: 40, kind: 'text' },
  { field: 'QUANTITY', maxLength: 15, kind: 'decimal' },
  { field: 'UNIT', maxLength: 3, kind: 'code' },
  { field: 'PRICE', maxLength: 15, kind: 'decimal' },
  { field: 'CURRENCY', maxLength: 5, kind: 'code' },
  { field: 'PRICEUNIT', maxLength: 5, kind: 'integer' },
  { field: 'LEADTIME', maxLength: 5, kind: 'integer' },
  { field: LONGTEXT, maxLength: undefined, kind: 'text' },
  { field: 'VENDOR', maxLength: 10, kind: 'text' },
  { field: 'VENDORMAT', maxLength: 40, kind: 'text' },
  { field: 'MANUFACTCODE', maxLength: 10, kind: 'text' },
  { field: 'MANUFACTMAT', maxLength: 40, kind: 'text' },
  { field: 'MATGROUP', maxLength: 10, kind: 'text' },
  { field: 'SERVICE', maxLength: 1, kind: 'flag' },
  { field: 'CONTRACT', maxLength: 10, kind: 'text' },
  { field: 'CONTRACT_ITEM', maxLength: 5, kind: 'text' },
  { field: 'EXT_QUOTE_ID', maxLength: 35, kind: 'text' },
  { field: 'EXT_QUOTE_ITEM', maxLength: 10, kind: 'text' },
  { field: 'EXT_PRODUCT_ID', maxLength: 40, kind: 'text' },
  { field: 'ATTACHMENT', maxLength: 255, kind: 'text' },
  { field: 'ATTACHMENT_TITLE', maxLength: 255, kind: 'text' },
  { field: 'ATTACHMENT_PURPOSE', maxLength: 1, kind: 'text' },
  { field: 'EXT_SCHEMA_TYPE', maxLength: 10, kind: 'text' },
  { field: 'EXT_CATEGORY_ID', maxLength: 60, kind: 'text' },
  { field: 'EXT_CATEGORY', maxLength: 40, kind: 'text' },
  { field: 'SLD_SYS_NAME', maxLength: 60, kind: 'text' },
  { field: 'CUST_FIELD1', maxLength: 10, kind: 'text' },
  { field: 'CUST_FIELD2', maxLength: 10, kind: 'text' },
  { field: 'CUST_FIELD3', maxLength: 10, kind: 'text' },
  { field: 'CUST_FIELD4', maxLength: 20, kind: 'text' },
  { field: 'CUST_FIELD5', maxLength: 50, kind: 'text' },
  { field: 'ITEM_TYPE', maxLength: 1, kind: 'text' },
  { field: 'PARENT_ID', maxLength: 5, kind: 'text' },
];

const BY_NAME = new Map(OCI_ITEM_FIELDS.map((f) => [f.field, f]));

/** The spec of a standard field, or undefined for extension fields (TAX_RATE, CUST_FIELD30 …). */
export function ociFieldSpec(field: string): OciFieldSpec | undefined {
  return BY_NAME.get(field.toUpperCase());
}

/** `NEW_ITEM-DESCRIPTION[3]`. */
export function ociItemFieldName(field: string, index: number): string {
  return `NEW_ITEM-${field}[${index}]`;
}

/** `NEW_ITEM-LONGTEXT_3:132[]` — the index goes before the colon, the brackets stay empty. */
export function ociLongTextFieldName(index: number): string {
  return `NEW_ITEM-LONGTEXT_${index}:132[]`;
}

/** Length as SAP counts it: UTF-16 code units. */
export function ociTextLength(text: string): number {
  return text.length;
}

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/**
 * Cuts a short description at a word boundary when one is near the end, so "0.7 mm" never
 * becomes "0.7 m"; the full text goes to the long text anyway. Punctuation and spaces left at the
 * end ("…, blue ink,") are dropped: a short name that ends in a comma reads as broken.
 */
export function cutTextAtWord(text: string, max: number): string {
  const cut = cutOciText(text, max);
  if (cut === text) return cut;
  // The cut may fall exactly at the end of a word: then that word stays.
  const atBoundary = /^\s/u.test(text.slice(cut.length));
  const space = cut.lastIndexOf(' ');
  // Only when a word boundary leaves most of the field used; a single long word is cut as is.
  const kept = atBoundary ? cut : space >= max * 0.6 ? cut.slice(0, space) : cut;
  const trimmed = kept.replace(/[\s,;:(\u2013\u2014-]+$/u, '');
  return trimmed === '' ? cut : trimmed;
}

/**
 * Cut `text` to at most `max` UTF-16 code units at a grapheme boundary, so neither a surrogate
 * pair nor a base letter with its combining marks (nor an emoji sequence) is split.
 */
export function cutOciText(text: string, max: number): string {
  if (text.length <= max) return text;
  let out = '';
  for (const { segment } of graphemes.segment(text)) {
    if (out.length + segment.length > max) break;
    out += segment;
  }
  return out;
}

/**
 * The OCI item fields carried as plain text, and the property of an OCI line (built or read)
 * that holds each. One table for the form builder, the form reader and the cart mapping.
 */
export const OCI_TEXT_FIELD_PROPERTIES = {
  MATNR: 'matnr',
  VENDOR: 'vendor',
  VENDORMAT: 'vendorMat',
  MANUFACTCODE: 'manufactCode',
  MANUFACTMAT: 'manufactMat',
  MATGROUP: 'matGroup',
  CONTRACT: 'contract',
  CONTRACT_ITEM: 'contractItem',
  EXT_QUOTE_ID: 'extQuoteId',
  EXT_QUOTE_ITEM: 'extQuoteItem',
  EXT_PRODUCT_ID: 'extProductId',
  ATTACHMENT: 'attachment',
  ATTACHMENT_TITLE: 'attachmentTitle',
  ATTACHMENT_PURPOSE: 'attachmentPurpose',
  EXT_SCHEMA_TYPE: 'extSchemaType',
  EXT_CATEGORY_ID: 'extCategoryId',
  EXT_CATEGORY: 'extCategory',
  SLD_SYS_NAME: 'sldSysName',
  CUST_FIELD1: 'custField1',
  CUST_FIELD2: 'custField2',
  CUST_FIELD3: 'custField3',
  CUST_FIELD4: 'custField4',
  CUST_FIELD5: 'custField5',
  ITEM_TYPE: 'itemType',
  PARENT_ID: 'parentId',
} as const;

export type OciTextProperty = (typeof OCI_TEXT_FIELD_PROPERTIES)[keyof typeof OCI_TEXT_FIELD_PROPERTIES];

/**
 * The plain-text OCI fields as optional properties of an OCI line (built or read). MATNR is the
 * buyer's material number (normally empty); PARENT_ID is the OCI line index of a parent item.
 */
export type OciTextFields = { [K in OciTextProperty]?: string };
