import { CURRENCY_MINOR_UNITS } from '@paystate/contracts';

/**
 * An integer amount in minor units as a customer reads it: `EUR 1,234.50`, `JPY 1,200`,
 * `BHD 12.345`. Integer arithmetic only, so no amount is ever rounded by a float.
 */
export function formatMoney(amountMinor: number, currency: string): string {
  const exponent = CURRENCY_MINOR_UNITS[currency] ?? 2;
  const sign = amountMinor < 0 ? '-' : '';
  const digits = String(Math.abs(Math.trunc(amountMinor))).padStart(exponent + 1, '0');
  const major = digits.slice(0, digits.length - exponent).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const minor = digits.slice(digits.length - exponent);
  return `${currency} ${sign}${major}${exponent > 0 ? `.${minor}` : ''}`;
}
