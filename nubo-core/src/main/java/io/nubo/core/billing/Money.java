package io.nubo.core.billing;

import java.util.Currency;

/**
 * Integer money arithmetic. Amounts are micro-units (a millionth of the currency unit) or minor
 * units (cents); nothing here ever uses floating point. Stateless.
 */
public final class Money {
    public static final long MICROS_PER_UNIT = 1_000_000L;

    private Money() {
    }

    /** {@code numerator / denominator} rounded half-up; both non-negative, denominator positive. */
    public static long divideHalfUp(long numerator, long denominator) {
        if (numerator < 0 || denominator <= 0) {
            throw new IllegalArgumentException("divideHalfUp needs numerator >= 0 and denominator > 0");
        }
        long q = numerator / denominator;
        long r = numerator % denominator;
        return r >= denominator - r ? q + 1 : q;
    }

    /** How many micro-units make one minor unit of {@code currency} (10,000 for cents). */
    public static long microsPerMinor(Currency currency) {
        int digits = Math.max(0, currency.getDefaultFractionDigits());
        long per = MICROS_PER_UNIT;
        for (int i = 0; i < digits; i++) {
            per /= 10;
        }
        return per;
    }

    /** A minor-unit amount as a decimal string in the currency's unit, e.g. 1234 cents as "12.34". */
    public static String format(long minor, Currency currency) {
        int digits = Math.max(0, currency.getDefaultFractionDigits());
        if (digits == 0) {
            return Long.toString(minor);
        }
        String sign = minor < 0 ? "-" : "";
        String abs = Long.toString(Math.abs(minor));
        while (abs.length() <= digits) {
            abs = "0" + abs;
        }
        return sign + abs.substring(0, abs.length() - digits) + "." + abs.substring(abs.length() - digits);
    }
}
