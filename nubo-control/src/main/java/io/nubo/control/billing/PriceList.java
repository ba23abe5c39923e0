package io.nubo.control.billing;

import io.nubo.core.billing.Price;
import io.nubo.core.billing.UsageType;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** One price book, indexed for rating: the prices of each usage type and sku in time order. Immutable. */
final class PriceList {
    private final Map<String, List<Price>> bySku = new HashMap<>();

    PriceList(List<Price> prices) {
        for (Price p : prices) {
            bySku.computeIfAbsent(key(p.type(), p.sku()), k -> new ArrayList<>()).add(p);
        }
        bySku.values().forEach(l -> l.sort(Comparator.comparing(Price::effectiveFrom)));
    }

    /** The prices of one sku in time order (possibly none). */
    List<Price> of(UsageType type, String sku) {
        return bySku.getOrDefault(key(type, sku), List.of());
    }

    /** The price in force at {@code at}: micro-units per price unit, 0 when none is set yet. */
    long at(UsageType type, String sku, Instant at) {
        long price = 0;
        for (Price p : of(type, sku)) {
            if (p.effectiveFrom().isAfter(at)) {
                break;
            }
            price = p.microsPerUnit();
        }
        return price;
    }

    /** The skus ("type/sku") whose price changes inside ({@code from}, {@code to}): their usage must be rated second by second. */
    java.util.Set<String> changingWithin(Instant from, Instant to) {
        java.util.Set<String> out = new java.util.HashSet<>();
        bySku.forEach((k, ps) -> {
            for (Price p : ps) {
                if (p.effectiveFrom().isAfter(from) && p.effectiveFrom().isBefore(to)) {
                    out.add(k);
                    return;
                }
            }
        });
        return out;
    }

    static String key(UsageType type, String sku) {
        return type.apiName() + "/" + sku;
    }
}
