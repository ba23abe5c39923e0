// Formatting of the API's numbers for people. Prices and costs come as integers (micro-dollars,
// or minor units of a currency) so that no float ever adds them up; only display divides.

/** "$1,234.56" from micro-dollars, rounded half away from zero to `digits` decimals; negative amounts keep their sign. */
export function money(micros: number, digits = 2): string {
  const sign = micros < 0 ? '-' : '';
  // Integer arithmetic: micro-dollars to the wanted decimals, so 0.005 rounds up as people expect.
  const step = 10 ** (6 - digits);
  const scaled = Math.round(Math.abs(micros) / step);
  const whole = Math.floor(scaled / 10 ** digits);
  const frac = digits ? '.' + String(scaled % 10 ** digits).padStart(digits, '0') : '';
  return sign + '$' + grouped(whole) + frac;
}

function grouped(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+$)/g, ',');
}

/** "$0.0125/h" from micro-dollars per hour: four decimals, since small types cost fractions of a cent. */
export function perHour(micros: number): string {
  return money(micros, 4) + '/h';
}

/** An amount in a currency's minor units (cents for USD) as "$12.34" or "12.34 EUR". */
export function minor(amountMinor: number, currency = 'USD'): string {
  const sign = amountMinor < 0 ? '-' : '';
  const abs = Math.abs(amountMinor);
  const text = grouped(Math.floor(abs / 100)) + '.' + String(abs % 100).padStart(2, '0');
  return currency === 'USD' ? sign + '$' + text : sign + text + ' ' + currency;
}

/** "1.5 GiB" from bytes, in binary units. */
export function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return (i === 0 ? String(v) : v.toFixed(v < 10 ? 1 : 0)) + ' ' + units[i];
}

/** A quantity with its unit, e.g. 36 "hour" -> "36 hours", 1.5 "GiB-month" stays singular. */
export function quantity(q: number, unit: string): string {
  const n = Number.isInteger(q) ? String(q) : q.toFixed(4).replace(/0+$/, '').replace(/\.$/, '');
  return n + ' ' + (q === 1 || unit.includes('-') ? unit : unit + 's');
}
