/**
 * The OCI call a procurement system makes: the buyer's browser is sent to the catalog URL with
 * credentials, the HOOK_URL for the cart and the SAP control fields (oci.md §2.2).
 */
import type { SandboxSettings } from './settings.js';

export type FormPair = readonly [name: string, value: string];

export interface OciCallForm {
  readonly method: 'GET' | 'POST';
  /** Form action. For GET it has no query: browsers drop an action's query on GET submits. */
  readonly action: string;
  readonly fields: readonly FormPair[];
}

/**
 * The parameters of the call, in the order SAP's call structure sends them: catalog
 * parameters first, then the return URL, then the `~` control fields.
 *
 * @example ociCallFields(settings, 'http://127.0.0.1:8080/sandbox/punchouts/abc/oci-return')
 * // [['USERNAME','demo'], ['PASSWORD','demo'], ['HOOK_URL','http://…/oci-return'], ['~OkCode','ADDI'], …]
 */
export function ociCallFields(settings: SandboxSettings, hookUrl: string): FormPair[] {
  return [
    ['USERNAME', settings.ociUsername],
    ['PASSWORD', settings.ociPassword],
    ['HOOK_URL', hookUrl],
    ['~OkCode', 'ADDI'],
    // _top: the cart must replace the whole procurement page even when the shop runs framed.
    ['~TARGET', '_top'],
    ['~CALLER', 'CTLG'],
    ['OCI_VERSION', '4.0'],
  ];
}

/**
 * The form that makes the browser call the catalog. With GET the catalog URL's own query
 * parameters (e.g. `sap-client=100`) become hidden fields, because a GET form submit replaces
 * the action's query string; with POST the action is used verbatim.
 */
export function ociCallForm(settings: SandboxSettings, hookUrl: string): OciCallForm {
  const fields = ociCallFields(settings, hookUrl);
  if (settings.ociMethod === 'POST') return { method: 'POST', action: settings.ociUrl, fields };
  const url = new URL(settings.ociUrl);
  const own: FormPair[] = [...url.searchParams].map(([n, v]) => [n, v] as const);
  url.search = '';
  return { method: 'GET', action: url.toString(), fields: [...own, ...fields] };
}
