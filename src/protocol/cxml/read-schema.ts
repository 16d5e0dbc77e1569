/**
 * Which children and attributes cXML allows on the elements the reader interprets, so that
 * anything else can be reported as unknown (a warning, or a 406 in strict mode).
 *
 * Taken from the content models and attribute lists of the official cXML 1.2.071 `cXML.dtd`
 * (checked to be a superset of 1.2.014, 1.2.020 and 1.2.063 for these elements). Order and
 * cardinality are deliberately not here: the reader tolerates order mistakes, and full DTD
 * validation is a separate step. `*` marks elements whose content is `ANY`.
 * `Payment` also lists `PaymentToken`: the DTD declares the payment choice twice and the first
 * declaration (PCard) wins, but the second is clearly meant to be allowed.
 * `ItemOut` also lists `Extrinsic`: the DTD has none there, but senders put line extrinsics on
 * ItemOut and the model keeps them.
 * `Request`, `Response` and `Message` are not listed: their payload names differ per DTD file
 * (cXML.dtd, Fulfill.dtd, InvoiceDetail.dtd …), so the reader handles them itself.
 */

interface ElementRule {
  /** Allowed child element names, or undefined for `ANY`. */
  readonly children?: ReadonlySet<string>;
  readonly attributes: ReadonlySet<string>;
}

const RULES: Readonly<Record<string, readonly [children: string, attributes: string]>> = {
  cXML: [
    'Header Message Request Response ds:Signature',
    'version payloadID timestamp signatureVersion xml:lang',
  ],
  Header: ['From To Sender Path OriginalDocument', ''],
  From: ['Credential Correspondent', ''],
  To: ['Credential Correspondent', ''],
  Sender: ['Credential UserAgent', ''],
  Credential: ['Identity SharedSecret DigitalSignature CredentialMac', 'domain type'],
  Identity: ['*', 'lastChangedTimestamp'],
  SharedSecret: ['*', ''],
  UserAgent: ['', ''],
  Status: ['', 'code text xml:lang'],
  ProfileRequest: ['', ''],
  ProfileResponse: ['Option Transaction', 'effectiveDate lastRefresh a-dtype'],
  Option: ['', 'name a-dtype'],
  Transaction: ['URL Option', 'requestName a-dtype'],
  PunchOutSetupRequest: [
    'BuyerCookie Extrinsic BrowserFormPost Contact SupplierSetup ShipTo SelectedItem ItemOut',
    'operation',
  ],
  PunchOutSetupResponse: ['StartPage', ''],
  StartPage: ['URL', ''],
  BrowserFormPost: ['URL', ''],
  SupplierSetup: ['URL', ''],
  SelectedItem: ['ItemID', ''],
  BuyerCookie: ['*', ''],
  ItemID: ['SupplierPartID SupplierPartAuxiliaryID BuyerPartID IdReference', ''],
  SupplierPartID: ['', 'revisionID'],
  SupplierPartAuxiliaryID: ['*', ''],
  BuyerPartID: ['', ''],
  ItemOut: [
    'ItemID Path ItemDetail BlanketItemDetail SupplierID SupplierList ShipTo Shipping ' +
      'Tax SpendDetail Distribution Contact TermsOfDelivery Comments Indicator ' +
      'Tolerances ControlKeys ScheduleLine MasterAgreementReference ' +
      'MasterAgreementIDInfo ItemOutIndustry Packaging ReleaseInfo Batch Extrinsic',
    'quantity lineNumber requisitionID agreementItemNumber requestedDeliveryDate ' +
      'isAdHoc parentLineNumber itemType requiresServiceEntry confirmationDueDate ' +
      'compositeItemType itemClassification itemCategory subcontractingType ' +
      'stockTransferType requestedShipmentDate isReturn returnAuthorizationNumber ' +
      'isDeliveryCompleted unlimitedDelivery isItemChanged isKanban stoDelivery ' +
      'stoOrderCombination stoFinalDelivery operation',
  ],
  ItemIn: [
    'ItemID Path ItemDetail SupplierID SupplierList ShipTo Shipping Tax SpendDetail ' +
      'Distribution Contact Comments ScheduleLine BillTo Batch Period DateInfo ' +
      'Extrinsic',
    'quantity openQuantity promisedQuantity lineNumber parentLineNumber itemType ' +
      'compositeItemType itemClassification itemCategory',
  ],
  ItemDetail: [
    'UnitPrice Description OverallLimit ExpectedLimit UnitOfMeasure ' +
      'PriceBasisQuantity Classification ManufacturerPartID ManufacturerName URL ' +
      'LeadTime Dimension ItemDetailIndustry AttachmentReference PlannedAcceptanceDays ' +
      'Extrinsic',
    '',
  ],
  UnitPrice: ['Money Modifications PricingConditions', ''],
  Money: ['', 'currency alternateAmount alternateCurrency'],
  Description: ['ShortName', 'xml:lang type'],
  ShortName: ['', ''],
  PriceBasisQuantity: ['UnitOfMeasure Description', 'quantity conversionFactor'],
  Classification: ['', 'domain code'],
  Extrinsic: ['*', 'name'],
  UnitOfMeasure: ['', ''],
  ManufacturerPartID: ['', ''],
  ManufacturerName: ['', 'xml:lang'],
  LeadTime: ['', ''],
  URL: ['', 'name'],
  ShipTo: ['Address CarrierIdentifier TransportInformation IdReference', ''],
  BillTo: ['Address IdReference', ''],
  Address: ['Name PostalAddress Email Phone Fax URL', 'isoCountryCode addressID addressIDDomain'],
  Name: ['', 'xml:lang'],
  PostalAddress: ['DeliverTo Street City Municipality State PostalCode Country Extrinsic', 'name'],
  DeliverTo: ['', ''],
  Street: ['', ''],
  City: ['', 'cityCode'],
  Municipality: ['', 'municipalityCode'],
  State: ['', 'isoStateCode'],
  PostalCode: ['', ''],
  Country: ['', 'isoCountryCode'],
  Email: ['', 'name preferredLang'],
  Phone: ['TelephoneNumber', 'name'],
  Fax: ['TelephoneNumber URL Email', 'name'],
  TelephoneNumber: ['CountryCode AreaOrCityCode Number Extension', ''],
  CountryCode: ['', 'isoCountryCode'],
  AreaOrCityCode: ['', ''],
  Number: ['', ''],
  Extension: ['', ''],
  Contact: [
    'Name PostalAddress Email Phone Fax URL IdReference Extrinsic',
    'role addressID addressIDDomain',
  ],
  Tax: ['Money TaxAdjustmentAmount Description TaxDetail Distribution Extrinsic', ''],
  TaxDetail: [
    'TaxableAmount TaxAmount TaxLocation TaxAdjustmentAmount Description ' +
      'TriangularTransactionLawReference TaxRegime TaxExemption Extrinsic',
    'taxedElement purpose category percentageRate isVatRecoverable taxPointDate ' +
      'paymentDate isTriangularTransaction exemptDetail isWithholdingTax taxRateType ' +
      'basePercentageRate isIncludedInPrice',
  ],
  TaxableAmount: ['Money', ''],
  TaxAmount: ['Money', ''],
  Shipping: ['Money Description Modifications', 'trackingDomain trackingId tracking'],
  Total: ['Money Modifications', ''],
  Distribution: ['Accounting Charge', ''],
  Accounting: ['Segment AccountingSegment', 'name'],
  Segment: ['', 'type id description'],
  AccountingSegment: ['Name Description', 'id'],
  Charge: ['Money', ''],
  Comments: ['Attachment', 'xml:lang type'],
  Attachment: ['URL', 'visibility'],
  PunchOutOrderMessage: ['BuyerCookie PunchOutOrderMessageHeader ItemIn', ''],
  PunchOutOrderMessageHeader: [
    'SourcingStatus Total ShipTo Shipping Tax SupplierOrderInfo',
    'operationAllowed quoteStatus',
  ],
  SupplierOrderInfo: ['', 'orderID orderDate'],
  OrderRequest: ['OrderRequestHeader ItemOut', ''],
  OrderRequestHeader: [
    'Total ShipTo BillTo BusinessPartner LegalEntity OrganizationalUnit Shipping Tax ' +
      'Payment PaymentTerm Contact Comments Followup ControlKeys DocumentReference ' +
      'SupplierOrderInfo TermsOfDelivery DeliveryPeriod IdReference ' +
      'OrderRequestHeaderIndustry Extrinsic',
    'orderID orderDate orderType releaseRequired type orderVersion isInternalVersion ' +
      'parentAgreementID parentAgreementPayloadID effectiveDate expirationDate ' +
      'agreementID agreementPayloadID requisitionID shipComplete pickUpDate ' +
      'requestedDeliveryDate isSTOOutbound',
  ],
  Payment: ['PCard PaymentToken', ''],
  PCard: ['PostalAddress', 'number expiration name'],
  PaymentTerm: ['Discount Extrinsic', 'payInNumberOfDays'],
  DocumentReference: ['', 'payloadID'],
  // Supplier → buyer documents (Fulfill.dtd, InvoiceDetail.dtd 1.2.071), read by the buyer sandbox.
  ConfirmationRequest: ['ConfirmationHeader OrderReference OrderStatusRequestReference OrderStatusRequestIDInfo ConfirmationItem', ''],
  ConfirmationHeader: [
    'DocumentReference Total Shipping Tax Contact Hazard Comments IdReference Extrinsic',
    'confirmID operation type noticeDate invoiceID incoTerms version',
  ],
  OrderReference: ['DocumentReference', 'orderID orderDate'],
  ConfirmationItem: ['UnitOfMeasure Contact Hazard ConfirmationStatus', 'quantity lineNumber parentLineNumber itemType compositeItemType'],
  ConfirmationStatus: [
    'UnitOfMeasure ItemIn UnitPrice Tax Shipping SupplierBatchID ScheduleLineReference ComponentConsumptionDetails Comments Extrinsic',
    'quantity type shipmentDate deliveryDate',
  ],
  ShipNoticeRequest: ['ShipNoticeHeader ShipControl ShipNoticePortion', ''],
  ShipNoticeHeader: [
    'ServiceLevel DocumentReference Contact LegalEntity OrganizationalUnit Hazard Comments TermsOfDelivery ' +
      'TermsOfTransport Packaging Extrinsic IdReference ReferenceDocumentInfo',
    'shipmentID operation noticeDate shipmentDate deliveryDate shipmentType fulfillmentType requestedDeliveryDate reason activityStepType',
  ],
  ShipControl: ['CarrierIdentifier ShipmentIdentifier PackageIdentification Route TransportInformation Contact Comments Extrinsic', 'startDate'],
  CarrierIdentifier: ['', 'domain'],
  ShipmentIdentifier: ['', 'domain trackingNumberDate trackingURL'],
  ShipNoticePortion: ['OrderReference MasterAgreementReference MasterAgreementIDInfo Contact Comments Extrinsic ShipNoticeItem ReferenceDocumentInfo', ''],
  ShipNoticeItem: [
    'ItemID ShipNoticeItemDetail UnitOfMeasure Packaging Hazard Batch SupplierBatchID AssetInfo TermsOfDelivery ' +
      'OrderedQuantity ShipNoticeItemIndustry ComponentConsumptionDetails ReferenceDocumentInfo Comments Extrinsic IUIDInfo',
    'quantity lineNumber parentLineNumber shipNoticeLineNumber itemType compositeItemType stockTransferType outboundType',
  ],
  InvoiceDetailRequest: ['InvoiceDetailRequestHeader InvoiceDetailOrder InvoiceDetailHeaderOrder InvoiceDetailSummary', ''],
  InvoiceDetailRequestHeader: [
    'InvoiceDetailHeaderIndicator InvoiceDetailLineIndicator InvoicePartner DocumentReference InvoiceIDInfo ' +
      'PaymentProposalIDInfo InvoiceDetailShipping ShipNoticeIDInfo InvoiceDetailPaymentTerm PaymentTerm ' +
      'PaymentInformation Period Comments IdReference Extrinsic',
    'invoiceID isInformationOnly purpose operation invoiceDate invoiceOrigin isERS',
  ],
  InvoiceDetailHeaderIndicator: ['', 'isHeaderInvoice isVatRecoverable isPriceBasedLineLevelCreditMemo'],
  InvoiceDetailLineIndicator: [
    '',
    'isTaxInLine isSpecialHandlingInLine isShippingInLine isDiscountInLine isAccountingInLine isPriceAdjustmentInLine',
  ],
  InvoiceIDInfo: ['', 'invoiceID invoiceDate'],
  InvoiceDetailOrder: ['InvoiceDetailOrderInfo InvoiceDetailReceiptInfo InvoiceDetailShipNoticeInfo InvoiceDetailItem InvoiceDetailServiceItem', ''],
  InvoiceDetailOrderInfo: ['OrderReference MasterAgreementReference MasterAgreementIDInfo SupplierOrderInfo OrderIDInfo', ''],
  InvoiceDetailItem: [
    'UnitOfMeasure UnitPrice PriceBasisQuantity InvoiceDetailItemReference ReceiptLineItemReference ' +
      'ShipNoticeLineItemReference ServiceEntryItemReference ServiceEntryItemIDInfo ProductMovementItemIDInfo ' +
      'SubtotalAmount Tax InvoiceDetailLineSpecialHandling InvoiceDetailLineShipping ShipNoticeIDInfo GrossAmount ' +
      'InvoiceDetailDiscount InvoiceItemModifications TotalCharges TotalAllowances TotalAmountWithoutTax NetAmount ' +
      'Distribution Packaging InvoiceDetailItemIndustry Comments CustomsInfo Extrinsic',
    'invoiceLineNumber quantity referenceDate inspectionDate parentInvoiceLineNumber itemType compositeItemType reason isAdHoc',
  ],
  InvoiceDetailItemReference: [
    'ItemID Description Classification ManufacturerPartID ManufacturerName Country SerialNumber SupplierBatchID InvoiceDetailItemReferenceIndustry',
    'lineNumber serialNumber',
  ],
  InvoiceDetailSummary: [
    'SubtotalAmount Tax SpecialHandlingAmount ShippingAmount GrossAmount InvoiceDetailDiscount InvoiceHeaderModifications ' +
      'InvoiceDetailSummaryLineItemModifications TotalCharges TotalAllowances TotalAmountWithoutTax NetAmount ' +
      'DepositAmount DueAmount InvoiceDetailSummaryIndustry',
    '',
  ],
  InvoiceDetailHeaderOrder: ['InvoiceDetailOrderInfo InvoiceDetailOrderSummary', ''],
  InvoiceDetailOrderSummary: [
    'SubtotalAmount Period Tax InvoiceDetailLineSpecialHandling InvoiceDetailLineShipping GrossAmount InvoiceDetailDiscount NetAmount Comments Extrinsic',
    'invoiceLineNumber inspectionDate',
  ],
  InvoiceDetailLineShipping: ['InvoiceDetailShipping Money Distribution', ''],
  SubtotalAmount: ['Money', ''],
  ShippingAmount: ['Money Distribution', ''],
  SpecialHandlingAmount: ['Money Description Distribution', ''],
  GrossAmount: ['Money', ''],
  NetAmount: ['Money', ''],
  DueAmount: ['Money', ''],
  InvoiceDetailDiscount: ['Money Distribution', 'percentageRate'],
  MasterAgreementReference: ['DocumentReference', 'agreementID agreementDate agreementType'],
  TaxLocation: ['', 'xml:lang'],
};

const compiled = new Map<string, ElementRule>();
for (const [name, [children, attributes]] of Object.entries(RULES)) {
  compiled.set(name, {
    ...(children === '*' ? {} : { children: words(children) }),
    attributes: words(attributes),
  });
}

/** The rule for an element the reader interprets, or undefined when the reader does not check it. */
export function elementRule(name: string): ElementRule | undefined {
  return compiled.get(name);
}

function words(list: string): ReadonlySet<string> {
  return new Set(list === '' ? [] : list.split(' '));
}
