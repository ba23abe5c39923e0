package io.nubo.control.billing;

import io.nubo.core.billing.Money;
import io.nubo.core.billing.Price;
import io.nubo.core.model.Account;
import io.nubo.store.Partners;
import io.nubo.store.Store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Which price book rates an account, and a partner's book as its customers see it. The hoster
 * rates its own customers and its partners (for all their customers' usage too); a partner rates
 * its customers with its own book: an explicit price of its own where it has one in force,
 * otherwise the hoster's price plus the partner's markup in force, rounded half-up to a micro-unit.
 * The result is an ordinary price list, so rating is the same for every book. Stateless.
 */
final class PriceBooks {
    static final long BASIS_POINTS = 10_000;

    private PriceBooks() {
    }

    /** The price list that rates {@code a}'s invoice. */
    static PriceList forAccount(Store s, Account a) {
        List<Price> hoster = s.prices().list(Price.HOSTER);
        if (a.partnerId() == null) {
            return new PriceList(hoster);
        }
        return new PriceList(effective(a.partnerId(), hoster, s.prices().list(a.partnerId()), s.partners().markups(a.partnerId())));
    }

    /** Who issues {@code a}'s invoice: its partner, or the hoster. */
    static String issuer(Account a) {
        return a.partnerId() == null ? Price.HOSTER : a.partnerId();
    }

    /**
     * A partner's prices as its customers pay them: for every sku of either book, a price at every
     * time either book or the markup changes (consecutive equal prices merged).
     */
    static List<Price> effective(String partnerId, List<Price> hoster, List<Price> own, List<Partners.Markup> markups) {
        Map<String, List<Price>> hosterBySku = bySku(hoster);
        Map<String, List<Price>> ownBySku = bySku(own);
        TreeSet<String> skus = new TreeSet<>(hosterBySku.keySet());
        skus.addAll(ownBySku.keySet());
        List<Price> out = new ArrayList<>();
        for (String key : skus) {
            List<Price> h = hosterBySku.getOrDefault(key, List.of());
            List<Price> o = ownBySku.getOrDefault(key, List.of());
            Price any = !h.isEmpty() ? h.get(0) : o.get(0);
            TreeSet<Instant> points = new TreeSet<>();
            h.forEach(p -> points.add(p.effectiveFrom()));
            o.forEach(p -> points.add(p.effectiveFrom()));
            markups.forEach(m -> points.add(m.effectiveFrom()));
            Long previous = null;
            for (Instant t : points) {
                Price explicit = inForce(o, t);
                long price = explicit != null ? explicit.microsPerUnit() : withMarkup(inForce(h, t), markupAt(markups, t));
                if (previous == null || previous != price) {
                    out.add(new Price(partnerId, any.type(), any.sku(), t, price));
                    previous = price;
                }
            }
        }
        return List.copyOf(out);
    }

    static long withMarkup(Price hosterPrice, int basisPoints) {
        long base = hosterPrice == null ? 0 : hosterPrice.microsPerUnit();
        return Money.divideHalfUp(Math.multiplyExact(base, BASIS_POINTS + basisPoints), BASIS_POINTS);
    }

    /** The markup in force at {@code t}: 0 before the first. */
    static int markupAt(List<Partners.Markup> markups, Instant t) {
        int bp = 0;
        for (Partners.Markup m : markups) {
            if (m.effectiveFrom().isAfter(t)) {
                break;
            }
            bp = m.basisPoints();
        }
        return bp;
    }

    private static Price inForce(List<Price> prices, Instant t) {
        Price found = null;
        for (Price p : prices) {
            if (p.effectiveFrom().isAfter(t)) {
                break;
            }
            found = p;
        }
        return found;
    }

    private static Map<String, List<Price>> bySku(List<Price> prices) {
        Map<String, List<Price>> out = new LinkedHashMap<>();
        for (Price p : prices) {
            out.computeIfAbsent(p.type().apiName() + "/" + p.sku(), k -> new ArrayList<>()).add(p);
        }
        out.values().forEach(l -> l.sort(Comparator.comparing(Price::effectiveFrom)));
        return out;
    }
}
