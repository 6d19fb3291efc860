/*
description: >
  A payment partner's daily report of top-ups by channel: an .xlsx dropped in the landing folder (the sheet
  'Channels', header on row 1), loaded by the landing sensor. `analytics generate-events --partner-report FILE.xlsx`
  writes one. Rows that break a rule are in raw.raw_partner_channels_rejected with their row number and reason.
materialization: source
tags: [raw, partner]
owner: finance
columns:
  report_date: {type: date, required: true}
  channel: {type: text, required: true, accepted_values: [card, bank_transfer, ewallet, convenience_store]}
  topups: {type: integer, required: true, min: 0}
  amount: {type: numeric, required: true, min: 0}
  fees: {type: numeric, min: 0}
  # Optional: a partner serving several tenants names each row's; a report without the column is the default tenant's.
  tenant_id: {type: text, pattern: '[A-Za-z0-9._@-]{1,64}', means: "1 to 64 letters, digits, '.', '_', '-' or '@'"}
from: {files: landing, format: xlsx, sheet: Channels}
*/
