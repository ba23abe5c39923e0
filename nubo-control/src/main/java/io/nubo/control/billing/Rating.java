package io.nubo.control.billing;

import io.nubo.core.billing.Money;
import io.nubo.core.billing.Price;
import io.nubo.core.billing.UsageRecord;
import io.nubo.core.billing.UsageType;

import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Rates usage with a price book: each piece of usage is cut where a price changes, so every
 * second is rated at the price in force at that second (the minimum's top-up at the price in force
 * when the interval began). Usage with the same type, resource, sku and unit price becomes one
 * line, whose exact cost is {@code quantity * price / unitsPerPriceUnit} micro-units; only the
 * line is rounded, half-up, to the currency's minor unit. Integer arithmetic only. Stateless.
 */
final class Rating {
    private Rating() {
    }

    /** A line before rounding: the exact cost is {@code numerator / type.unitsPerPriceUnit()} micro-units. */
    record Rated(UsageType type, String resourceId, String sku, long unitPriceMicros, long quantity, BigInteger numerator) {
        long amountMinor(long microsPerMinor) {
            return divideHalfUp(numerator, BigInteger.valueOf(type.unitsPerPriceUnit()).multiply(BigInteger.valueOf(microsPerMinor)));
        }

        long amountMicros() {
            return divideHalfUp(numerator, BigInteger.valueOf(type.unitsPerPriceUnit()));
        }
    }

    static long divideHalfUp(BigInteger numerator, BigInteger denominator) {
        BigInteger[] qr = numerator.divideAndRemainder(denominator);
        BigInteger q = qr[0];
        if (qr[1].shiftLeft(1).compareTo(denominator) >= 0) {
            q = q.add(BigInteger.ONE);
        }
        return q.longValueExact();
    }

    private record Key(UsageType type, String resourceId, String sku, long price) {
    }

    private static final Comparator<Key> ORDER = Comparator.comparing((Key k) -> k.type().ordinal())
            .thenComparing(Key::resourceId).thenComparing(Key::sku).thenComparingLong(Key::price);

    /** The lines of {@code usage}, in type, resource, sku and price order. */
    static List<Rated> rate(List<UsageRecord> usage, PriceList prices) {
        Map<Key, long[]> quantities = new TreeMap<>(ORDER);
        for (UsageRecord u : usage) {
            cut(u, prices, (price, seconds) -> {
                long[] q = quantities.computeIfAbsent(new Key(u.type(), u.resourceId(), u.sku(), price), k -> new long[1]);
                q[0] = Math.addExact(q[0], Math.multiplyExact(seconds, u.size()));
            });
        }
        List<Rated> out = new ArrayList<>(quantities.size());
        quantities.forEach((k, q) -> out.add(new Rated(k.type(), k.resourceId(), k.sku(), k.price(), q[0],
                BigInteger.valueOf(q[0]).multiply(BigInteger.valueOf(k.price())))));
        return out;
    }

    interface Sink {
        void add(long unitPriceMicros, long seconds);
    }

    /** Hands each price period's seconds of {@code u} to {@code sink}; the top-up goes with the first. */
    static void cut(UsageRecord u, PriceList prices, Sink sink) {
        List<Price> ps = prices.of(u.type(), u.sku());
        Instant t = u.start();
        Instant end = u.end().isBefore(u.start()) ? u.start() : u.end();
        long topUp = u.topUpSeconds();
        boolean first = true;
        do {
            long price = 0;
            Instant next = null;
            for (Price p : ps) {
                if (p.effectiveFrom().isAfter(t)) {
                    next = p.effectiveFrom();
                    break;
                }
                price = p.microsPerUnit();
            }
            Instant segmentEnd = next == null || !next.isBefore(end) ? end : next;
            long seconds = DayPieces.elapsed(t, segmentEnd) + (first ? topUp : 0);
            sink.add(price, seconds);
            first = false;
            t = segmentEnd;
        } while (t.isBefore(end));
    }

    static long minor(List<Rated> lines, long microsPerMinor) {
        long total = 0;
        for (Rated r : lines) {
            total = Math.addExact(total, r.amountMinor(microsPerMinor));
        }
        return total;
    }

    static long microsPerMinor(java.util.Currency c) {
        return Money.microsPerMinor(c);
    }
}
