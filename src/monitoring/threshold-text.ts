/**
 * A threshold as alarm descriptions write it: exactly what `value.toLocaleString('en-US')` returns, without
 * ICU. The first `toLocaleString` of a process loads ICU's number formatting, which cost 30–80 ms of
 * every synth (the one use of ICU in a synth of examples/orders-api; EDA-15, BENCHMARKS.md).
 *
 * For every number `String(value)` writes in plain decimal (neither NaN, ±Infinity nor exponent
 * notation): digits grouped by three with commas, at most three fraction digits, rounded half away from
 * zero on the shortest decimal form (ICU's default `halfExpand`), trailing zeros dropped, `-0` kept.
 * Anything else falls back to `toLocaleString`. test/monitoring/threshold-text.test.ts compares both.
 */
export function formatThreshold(value: number): string {
  const plain = String(value);
  if (!Number.isFinite(value) || plain.includes('e')) return value.toLocaleString('en-US');
  const negative = plain.startsWith('-') || Object.is(value, -0);
  const [whole, fraction = ''] = plain.replace(/^-/, '').split('.');
  // The value in thousandths as a digit string, rounded half away from zero at the fourth fraction digit.
  let thousandths = (whole + fraction.padEnd(3, '0').slice(0, 3)).replace(/^0+(?=\d)/, '');
  if (fraction.length > 3 && fraction[3] >= '5') thousandths = incremented(thousandths);
  const integerDigits = thousandths.length > 3 ? thousandths.slice(0, -3) : '0';
  const fractionDigits = thousandths.padStart(3, '0').slice(-3).replace(/0+$/, '');
  const grouped = integerDigits.replace(/\B(?=(\d{3})+$)/g, ',');
  return `${negative ? '-' : ''}${grouped}${fractionDigits ? `.${fractionDigits}` : ''}`;
}

/** A decimal digit string plus one (`'0999'` → `'1000'`, `'999'` → `'1000'`). */
function incremented(digits: string): string {
  const out = digits.split('');
  let i = out.length - 1;
  while (i >= 0 && out[i] === '9') out[i--] = '0';
  if (i < 0) out.unshift('1');
  else out[i] = String(Number(out[i]) + 1);
  return out.join('');
}
