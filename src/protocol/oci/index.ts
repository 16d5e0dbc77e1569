/** SAP OCI protocol core: inbound call, cart form (build, render, read back). Pure. */
export { readOciCall, checkReturnUrl } from './inbound-call.js';
export type { OciCall, OciCallInput, OciCallOptions, OciNameValue, ReturnUrlCheck } from './inbound-call.js';
export { buildOciCartForm, renderOciFormHtml, ociFormContentType, OciCartError, OCI_AUTOSUBMIT_SCRIPT } from './cart-form.js';
export type { OciCartForm, OciCartFormOptions, OciCartLine, OciField, OciTruncation, RenderOciFormOptions } from './cart-form.js';
export { readOciCartForm, pairsFromUrlencoded, pairsFromHtmlForm } from './cart-form-reader.js';
export type { OciReadLine, OciReadResult, ReadOciCartFormOptions } from './cart-form-reader.js';
export { OCI_ITEM_FIELDS, LONGTEXT, ociFieldSpec, ociItemFieldName, ociLongTextFieldName, ociTextLength, cutOciText } from './fields.js';
export type { OciFieldKind, OciFieldSpec } from './fields.js';
export { transliterateToLatin1, LATIN1_TRANSLITERATIONS } from './charset.js';
export type { OciCharset, Transliteration } from './charset.js';
export { formatOciDecimal, formatOciInteger, fitPriceToUnit, parseOciNumber, OciNumberError } from './numbers.js';
export { decodeFormComponent, encodeUrlencoded, encodeFormComponent } from './form-encoding.js';
export type { FormDecoding } from './form-encoding.js';
export { escapeHtml, decodeHtmlEntities } from './html.js';
