package io.nubo.control.billing;

import io.nubo.control.identity.AccountScope;
import io.nubo.control.identity.IdentityService;
import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;
import io.nubo.core.billing.MeterState;
import io.nubo.core.billing.Money;
import io.nubo.core.billing.Price;
import io.nubo.core.billing.UsageRecord;
import io.nubo.core.billing.UsageType;
import io.nubo.core.model.Account;
import io.nubo.core.model.Principal;
import io.nubo.core.model.Role;
import io.nubo.core.model.VolumeType;
import io.nubo.store.Database;
import io.nubo.store.Invoices;
import io.nubo.store.Partners;
import io.nubo.store.Store;

import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Usage, prices and invoices. Reads meter the event log first, so they are current to the call;
 * months are UTC calendar months. Thread-safe.
 */
public final class BillingService {
    /** A month can be closed this long after it ended, so that the last events are in and every minimum is settled. */
    public static final Duration CLOSE_GRACE = Duration.ofMinutes(5);
    public static final long MAX_PRICE_MICROS = 1_000_000_000_000L;
    public static final int MAX_USAGE_DAYS = 366;
    private static final Pattern SKU = Pattern.compile("[a-z0-9][a-z0-9.-]{0,63}");
    private static final Pattern DECIMAL = Pattern.compile("(\\d{1,7})(?:\\.(\\d{1,6}))?");

    private final Database db;
    private final Clock clock;
    private final Metering metering;
    private final Currency currency;
    private final long microsPerMinor;

    public BillingService(Database db, Clock clock, Currency currency) {
        this.db = db;
        this.clock = clock;
        this.metering = new Metering(db);
        this.currency = currency;
        this.microsPerMinor = Money.microsPerMinor(currency);
    }

    public Metering metering() {
        return metering;
    }

    public Currency currency() {
        return currency;
    }

    /** Today in UTC, by this service's clock. */
    public LocalDate today() {
        return LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    }

    // ---- prices ----

    public List<Price> prices() {
        return db.read(s -> s.prices().list(Price.HOSTER));
    }

    /**
     * The prices the caller pays: the hoster's book, or, for a partner's customer, the partner's
     * prices as its customers pay them (its own prices, else the hoster's plus its markup).
     */
    public List<Price> prices(Principal caller) {
        return db.read(s -> {
            Account a = AccountScope.visible(s, caller, caller.accountId());
            if (a.partnerId() == null) {
                return s.prices().list(Price.HOSTER);
            }
            return PriceBooks.effective(a.partnerId(), s.prices().list(Price.HOSTER), s.prices().list(a.partnerId()),
                    s.partners().markups(a.partnerId()));
        });
    }

    /** A partner's book: its own prices, its markups, and the prices its customers pay (both combined with the hoster's). */
    public record PartnerBook(List<Price> prices, List<Partners.Markup> markups, List<Price> effective) {
    }

    public PartnerBook partnerBook(Principal caller) {
        AccountScope.requirePartner(caller);
        String p = caller.accountId();
        return db.read(s -> {
            List<Price> own = s.prices().list(p);
            List<Partners.Markup> markups = s.partners().markups(p);
            return new PartnerBook(own, markups, PriceBooks.effective(p, s.prices().list(Price.HOSTER), own, markups));
        });
    }

    /**
     * Sets a price from {@code effectiveFrom} (default: now) on (admin only). A price period is
     * closed by the next one, so a new price must start after the last one of its sku, and not
     * in the past (nor in a closed month). {@code price} is a decimal in the currency's unit ("0.0104"),
     * or {@code micros} the same in micro-units; exactly one is given.
     */
    public Price setPrice(Principal caller, String usageType, String sku, Optional<String> price, Optional<Long> micros,
                          Optional<Instant> effectiveFrom) {
        IdentityService.requireAdmin(caller);
        return addPrice(caller, Price.HOSTER, usageType, sku, price, micros, effectiveFrom);
    }

    /**
     * A partner sets a price of its own book, which its customers pay from {@code effectiveFrom}
     * on instead of the hoster's price plus the markup. The rules are the hoster's.
     */
    public Price setPartnerPrice(Principal caller, String usageType, String sku, Optional<String> price, Optional<Long> micros,
                                 Optional<Instant> effectiveFrom) {
        AccountScope.requirePartner(caller);
        return addPrice(caller, caller.accountId(), usageType, sku, price, micros, effectiveFrom);
    }

    /**
     * A partner sets its markup on the hoster's prices from {@code effectiveFrom} (default: now)
     * on, as a percentage with at most two decimals ("20", "12.5"), from 0 to 10000. It prices
     * every sku the partner has no price of its own for. The time rules are those of a price.
     */
    public Partners.Markup setMarkup(Principal caller, String percent, Optional<Instant> effectiveFrom) {
        AccountScope.requirePartner(caller);
        if (percent == null) {
            throw NuboException.of(ErrorCode.MISSING_PARAMETER, "The request must contain the parameter percent");
        }
        int bp = parsePercent(percent);
        Instant now = clock.instant();
        Instant from = effectiveFrom.orElse(now).truncatedTo(ChronoUnit.SECONDS);
        Partners.Markup m = new Partners.Markup(caller.accountId(), from, bp);
        return db.inTransaction(s -> {
            s.prices().lockBook(caller.accountId());
            requireOpen(s, from);
            requireNotPast(from, now);
            List<Partners.Markup> existing = s.partners().markups(caller.accountId());
            if (!existing.isEmpty() && !from.isAfter(existing.get(existing.size() - 1).effectiveFrom())) {
                throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE,
                        "The markup from %s overlaps the markup period that starts at %s: a new markup must start after it", from,
                        existing.get(existing.size() - 1).effectiveFrom());
            }
            s.partners().insertMarkup(m, now, caller.accountId());
            s.events().append(now, caller.accountId(), caller.accountId(), "partner.markup", null, Integer.toString(bp),
                    "basis points from " + from + " by " + caller.accessKeyId());
            return m;
        });
    }

    private static final Pattern PERCENT = Pattern.compile("(\\d{1,5})(?:\\.(\\d{1,2}))?");

    static int parsePercent(String text) {
        var m = PERCENT.matcher(text == null ? "" : text);
        if (!m.matches()) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE,
                    "Invalid markup '%s': use a percentage from 0 to 10000 with at most 2 decimal places, e.g. 20 or 12.5", text);
        }
        String frac = m.group(2) == null ? "" : m.group(2);
        long bp = Long.parseLong(m.group(1)) * 100 + Long.parseLong((frac + "00").substring(0, 2));
        if (bp > 1_000_000) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Invalid markup '%s': at most 10000 percent", text);
        }
        return (int) bp;
    }

    private static void requireNotPast(Instant from, Instant now) {
        if (from.isBefore(now.truncatedTo(ChronoUnit.SECONDS))) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE,
                    "A price cannot take effect in the past (%s is before now, %s): usage already metered keeps its price", from,
                    now.truncatedTo(ChronoUnit.SECONDS));
        }
    }

    private Price addPrice(Principal caller, String book, String usageType, String sku, Optional<String> price, Optional<Long> micros,
                           Optional<Instant> effectiveFrom) {
        UsageType type = UsageType.fromApiName(usageType == null ? "" : usageType).orElseThrow(() -> NuboException.of(
                ErrorCode.INVALID_PARAMETER_VALUE, "Unknown usage type '%s': use instance, volume, snapshot or image", usageType));
        if (sku == null || !SKU.matcher(sku).matches()) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Invalid sku '%s'", sku);
        }
        if (price.isPresent() == micros.isPresent()) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_COMBINATION, "Give the price either as price (a decimal) or as micros, once");
        }
        long value = micros.orElseGet(() -> parseDecimal(price.get()));
        if (value < 0) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "A price must not be negative (it is %d micro-units)", value);
        }
        if (value > MAX_PRICE_MICROS) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "A price must be at most %d micro-units per %s",
                    MAX_PRICE_MICROS, type.priceUnit());
        }
        Instant now = clock.instant();
        Instant from = effectiveFrom.orElse(now).truncatedTo(ChronoUnit.SECONDS);
        if (type == UsageType.VOLUME && VolumeType.fromApiName(sku).isEmpty()) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Invalid volume type '%s': use gp2, gp3, io1, io2 or standard", sku);
        }
        if ((type == UsageType.IMAGE || type == UsageType.SNAPSHOT) && !sku.equals(StorageMeter.STANDARD)) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Invalid sku '%s' for %s storage: use %s", sku, type.apiName(),
                    StorageMeter.STANDARD);
        }
        Price p = new Price(book, type, sku, from, value);
        return db.inTransaction(s -> {
            if (type == UsageType.INSTANCE && s.instanceTypes().find(sku).isEmpty()) {
                throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Invalid value '%s' for InstanceType", sku);
            }
            s.prices().lockBook(book);
            requireOpen(s, from);
            requireNotPast(from, now);
            List<Price> existing = s.prices().list(book).stream().filter(x -> x.type() == type && x.sku().equals(sku)).toList();
            if (!existing.isEmpty()) {
                Instant last = existing.get(existing.size() - 1).effectiveFrom();
                if (!from.isAfter(last)) {
                    throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE,
                            "The price of %s %s from %s overlaps the price period that starts at %s: a new price must start after it",
                            type.apiName(), sku, from, last);
                }
            }
            s.prices().insert(p, now, caller.accountId());
            s.events().append(now, caller.accountId(), type.apiName() + "/" + sku, "price.set", null, Long.toString(value),
                    "from " + from + " by " + caller.accessKeyId());
            return p;
        });
    }

    /** Called when the catalogue changes an instance type's list price: the price book follows from now on. */
    public static void followCatalogue(Store s, String typeName, long micros, Instant now) {
        Instant from = now.truncatedTo(ChronoUnit.SECONDS);
        s.prices().lockBook(Price.HOSTER);
        List<Price> existing = s.prices().list(Price.HOSTER).stream()
                .filter(x -> x.type() == UsageType.INSTANCE && x.sku().equals(typeName)).toList();
        long inForce = new PriceList(existing).at(UsageType.INSTANCE, typeName, from);
        boolean taken = existing.stream().anyMatch(x -> !x.effectiveFrom().isBefore(from));
        if ((existing.isEmpty() || inForce != micros) && !taken) {
            s.prices().insert(new Price(Price.HOSTER, UsageType.INSTANCE, typeName, from, micros), now, "catalogue");
        }
    }

    static long parseDecimal(String text) {
        var m = DECIMAL.matcher(text == null ? "" : text);
        if (!m.matches()) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE,
                    "Invalid price '%s': use a non-negative decimal with at most 6 decimal places, e.g. 0.0104", text);
        }
        String frac = m.group(2) == null ? "" : m.group(2);
        return Long.parseLong(m.group(1)) * Money.MICROS_PER_UNIT + Long.parseLong((frac + "000000").substring(0, 6));
    }

    private static void requireOpen(Store s, Instant at) {
        List<LocalDate> closed = s.invoices().closedMonths();
        if (!closed.isEmpty()) {
            Instant closedUntil = monthEnd(YearMonth.from(closed.get(closed.size() - 1)));
            if (at.isBefore(closedUntil)) {
                throw NuboException.of(ErrorCode.BILLING_PERIOD_CLOSED,
                        "%s falls in a closed billing month (months up to %s are closed); its invoices cannot change",
                        at, YearMonth.from(closed.get(closed.size() - 1)));
            }
        }
    }

    // ---- usage ----

    public List<UsageGroup> usage(Principal caller, UsageQuery q) {
        String accountId = q.accountId().orElse(caller.accountId());
        if (!q.from().isBefore(q.to())) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "from (%s) must be before to (%s)", q.from(), q.to());
        }
        if (q.from().plusDays(MAX_USAGE_DAYS).isBefore(q.to())) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "A usage query covers at most %d days", MAX_USAGE_DAYS);
        }
        metering.catchUp();
        Instant now = clock.instant();
        return db.read(s -> {
            Account account = AccountScope.visible(s, caller, accountId);
            List<UsageRecord> pieces = pieces(s, List.of(accountId), q.from(), q.to(), now);
            PriceList prices = PriceBooks.forAccount(s, account);
            Map<String, List<UsageRecord>> groups = new LinkedHashMap<>();
            for (UsageRecord u : pieces) {
                if (q.resourceId().isPresent() && !q.resourceId().get().equals(u.resourceId())) {
                    continue;
                }
                if (q.type().isPresent() && !q.type().get().equals(u.type().apiName()) && !q.type().get().equals(u.sku())) {
                    continue;
                }
                String key = switch (q.groupBy()) {
                    case DAY -> u.day() + "|" + u.type().apiName();
                    case TYPE -> u.type().apiName() + "|" + u.sku();
                    case RESOURCE -> u.resourceId() + "|" + u.type().apiName();
                };
                groups.computeIfAbsent(key, k -> new ArrayList<>()).add(u);
            }
            List<UsageGroup> out = new ArrayList<>();
            groups.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(g -> {
                List<Rating.Rated> lines = Rating.rate(g.getValue(), prices);
                long quantity = 0;
                BigInteger numerator = BigInteger.ZERO;
                for (Rating.Rated r : lines) {
                    quantity = Math.addExact(quantity, r.quantity());
                    numerator = numerator.add(r.numerator());
                }
                UsageType type = g.getValue().get(0).type();
                String key = g.getKey().substring(0, g.getKey().indexOf('|'));
                if (q.groupBy() == UsageQuery.GroupBy.TYPE) {
                    key = g.getValue().get(0).sku();
                }
                out.add(new UsageGroup(key, type.apiName(), type.unit(), quantity,
                        Rating.divideHalfUp(numerator, BigInteger.valueOf(type.unitsPerPriceUnit()))));
            });
            return out;
        });
    }

    /** The accounts' usage on days [{@code from}, {@code to}): closed records, plus what is accruing now up to {@code now}. */
    private static List<UsageRecord> pieces(Store s, List<String> accountIds, LocalDate from, LocalDate to, Instant now) {
        List<UsageRecord> out = new ArrayList<>(s.usageRecords().forAccounts(accountIds, from, to));
        for (MeterState m : s.meterStates().accruing(accountIds)) {
            for (UsageRecord u : Meters.records(m, now, 0)) {
                if (!u.day().isBefore(from) && u.day().isBefore(to)) {
                    out.add(u);
                }
            }
        }
        return out;
    }

    /**
     * The month's usage of these accounts as rating needs it: where a sku's price does not change
     * inside the month, one summed piece per resource and size from the monthly rollup (rated at
     * the price in force at the month's start, which holds all month); where it does, the day
     * records; and what is accruing now. The lines are the same as from the day records alone, for
     * a thirtieth of the rows read.
     */
    private static List<UsageRecord> invoicePieces(Store s, List<String> accountIds, YearMonth month, PriceList prices, Instant now) {
        LocalDate from = month.atDay(1);
        LocalDate to = month.plusMonths(1).atDay(1);
        java.util.Set<String> changing = prices.changingWithin(from.atStartOfDay(ZoneOffset.UTC).toInstant(), monthEnd(month));
        List<UsageRecord> out = new ArrayList<>(s.usageRecords().monthlySums(accountIds, from, changing));
        out.addAll(s.usageRecords().forAccounts(accountIds, from, to, changing));
        for (MeterState m : s.meterStates().accruing(accountIds)) {
            for (UsageRecord u : Meters.records(m, now, 0)) {
                if (!u.day().isBefore(from) && u.day().isBefore(to)) {
                    out.add(u);
                }
            }
        }
        return out;
    }

    // ---- invoices ----

    /** The account's invoices from the month it was created to this one, newest first. */
    public List<Invoice> invoices(Principal caller, Optional<String> accountId) {
        String account = accountId.orElse(caller.accountId());
        db.read(s -> AccountScope.visible(s, caller, account));
        metering.catchUp();
        Instant now = clock.instant();
        return db.read(s -> {
            Account a = AccountScope.visible(s, caller, account);
            List<Invoice> out = new ArrayList<>();
            YearMonth first = YearMonth.from(a.createdAt().atZone(ZoneOffset.UTC));
            for (YearMonth m = YearMonth.from(now.atZone(ZoneOffset.UTC)); !m.isBefore(first); m = m.minusMonths(1)) {
                out.add(invoice(s, a, m, now));
            }
            return out;
        });
    }

    public Invoice invoice(Principal caller, String invoiceId) {
        InvoiceIds.Parts parts = InvoiceIds.parse(invoiceId);
        if (db.read(s -> s.accounts().find(parts.accountId()).filter(a -> AccountScope.canSee(caller, a))).isEmpty()) {
            throw invoiceNotFound(invoiceId);
        }
        metering.catchUp();
        Instant now = clock.instant();
        return db.read(s -> {
            Account a = s.accounts().find(parts.accountId()).filter(x -> AccountScope.canSee(caller, x))
                    .orElseThrow(() -> invoiceNotFound(invoiceId));
            YearMonth created = YearMonth.from(a.createdAt().atZone(ZoneOffset.UTC));
            if (parts.month().isBefore(created) || parts.month().isAfter(YearMonth.from(now.atZone(ZoneOffset.UTC)))) {
                throw invoiceNotFound(invoiceId);
            }
            return invoice(s, a, parts.month(), now);
        });
    }

    private Invoice invoice(Store s, Account account, YearMonth month, Instant now) {
        String accountId = account.id();
        Optional<Invoices.Stored> stored = s.invoices().find(accountId, month.atDay(1));
        if (stored.isPresent()) {
            Invoices.Stored inv = stored.get();
            List<Invoice.Line> lines = s.invoices().lines(inv.id()).stream().map(l -> {
                UsageType t = UsageType.fromApiName(l.usageType()).orElseThrow();
                return new Invoice.Line(l.lineNo(), l.usageType(), l.resourceId(), l.sku(), l.quantity(), t.unit(), l.unitPriceMicros(),
                        t.priceUnit(), l.amountMinor(), l.accountId());
            }).toList();
            return new Invoice(inv.id(), accountId, month, Invoice.Status.CLOSED, inv.currency(), inv.closedAt(), lines, inv.totalMinor(),
                    Optional.empty(), inv.issuer());
        }
        if (s.invoices().isClosed(month.atDay(1))) {
            // The account had nothing then; its invoice is empty and as final as the rest.
            return new Invoice(InvoiceIds.of(accountId, month), accountId, month, Invoice.Status.CLOSED, currency.getCurrencyCode(),
                    monthEnd(month), List.of(), 0, Optional.empty(), PriceBooks.issuer(account));
        }
        return draft(s, account, month, now);
    }

    /**
     * The accounts whose usage is on {@code a}'s invoice: its own, and for a partner its
     * customers' too (the hoster bills the partner for them).
     */
    static List<String> billedAccounts(Store s, Account a) {
        if (a.role() != Role.PARTNER) {
            return List.of(a.id());
        }
        List<String> ids = new ArrayList<>();
        ids.add(a.id());
        s.accounts().customersOf(a.id()).forEach(c -> ids.add(c.id()));
        return ids;
    }

    /** The invoice of a month that is not closed, computed from the usage so far. */
    Invoice draft(Store s, Account account, YearMonth month, Instant now) {
        String accountId = account.id();
        List<String> accounts = billedAccounts(s, account);
        PriceList prices = PriceBooks.forAccount(s, account);
        List<UsageRecord> pieces = invoicePieces(s, accounts, month, prices, now);
        Map<String, String> owners = new java.util.HashMap<>();
        pieces.forEach(u -> owners.put(u.resourceId(), u.accountId()));
        List<Rating.Rated> rated = Rating.rate(pieces, prices);
        List<Invoice.Line> lines = new ArrayList<>(rated.size());
        long total = 0;
        for (Rating.Rated r : rated) {
            long amount = r.amountMinor(microsPerMinor);
            total = Math.addExact(total, amount);
            lines.add(new Invoice.Line(lines.size() + 1, r.type().apiName(), r.resourceId(), r.sku(), r.quantity(), r.type().unit(),
                    r.unitPriceMicros(), r.type().priceUnit(), amount, owners.getOrDefault(r.resourceId(), accountId)));
        }
        Optional<Long> forecast = Optional.empty();
        if (month.equals(YearMonth.from(now.atZone(ZoneOffset.UTC)))) {
            long left = DayPieces.elapsed(now, monthEnd(month));
            Map<UsageType, BigInteger> more = new java.util.EnumMap<>(UsageType.class);
            for (MeterState m : s.meterStates().accruing(accounts)) {
                long price = prices.at(m.type(), m.sku(), now);
                more.merge(m.type(), BigInteger.valueOf(left).multiply(BigInteger.valueOf(m.size())).multiply(BigInteger.valueOf(price)),
                        BigInteger::add);
            }
            long extra = 0;
            for (var e : more.entrySet()) {
                extra = Math.addExact(extra, Rating.divideHalfUp(e.getValue(),
                        BigInteger.valueOf(e.getKey().unitsPerPriceUnit()).multiply(BigInteger.valueOf(microsPerMinor))));
            }
            forecast = Optional.of(total + extra);
        }
        return new Invoice(InvoiceIds.of(accountId, month), accountId, month, Invoice.Status.DRAFT, currency.getCurrencyCode(), now,
                List.copyOf(lines), total, forecast, PriceBooks.issuer(account));
    }

    /** What closing a month did: how many invoices it froze, and the total of those the hoster issues (its revenue). */
    public record ClosedMonth(YearMonth month, int invoices, long totalMinor) {
    }

    /**
     * Closes a month (admin only): meters everything, then freezes every account's invoice for it.
     * A month can be closed once it has ended and {@link #CLOSE_GRACE} has passed; never twice.
     */
    public ClosedMonth closeMonth(Principal caller, YearMonth month) {
        IdentityService.requireAdmin(caller);
        Instant now = clock.instant();
        if (now.isBefore(monthEnd(month).plus(CLOSE_GRACE))) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE,
                    "The month %s can be closed from %s on (its end plus %d minutes)", month, monthEnd(month).plus(CLOSE_GRACE),
                    CLOSE_GRACE.toMinutes());
        }
        metering.catchUp();
        return db.inTransaction(s -> {
            s.invoices().lockClosing();
            if (s.invoices().isClosed(month.atDay(1))) {
                throw NuboException.of(ErrorCode.BILLING_PERIOD_CLOSED, "The month %s is already closed; its invoices cannot change", month);
            }
            s.invoices().closeMonth(month.atDay(1), now, caller.accountId());
            int count = 0;
            long total = 0;
            for (Account a : s.accounts().list()) {
                if (!a.createdAt().isBefore(monthEnd(month))) {
                    continue;
                }
                Invoice d = draft(s, a, month, now);
                List<Invoices.StoredLine> lines = d.lines().stream().map(l -> new Invoices.StoredLine(l.lineNo(), l.usageType(),
                        l.resourceId(), l.sku(), l.quantity(), l.unitPriceMicros(), l.amountMinor(), l.accountId())).toList();
                s.invoices().insert(new Invoices.Stored(d.id(), a.id(), month.atDay(1), d.currency(), d.totalMinor(), now, d.issuer()),
                        lines);
                count++;
                if (d.issuer().equals(Price.HOSTER)) {
                    total = Math.addExact(total, d.totalMinor());
                }
            }
            s.events().append(now, caller.accountId(), "billing/" + month, "billing.month-closed", "open", "closed",
                    count + " invoices, total " + Money.format(total, currency) + " " + currency.getCurrencyCode());
            return new ClosedMonth(month, count, total);
        });
    }

    static Instant monthEnd(YearMonth month) {
        return month.plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
    }

    private static NuboException invoiceNotFound(String id) {
        return NuboException.of(ErrorCode.INVALID_INVOICE_ID_NOT_FOUND, "The invoice '%s' does not exist", id);
    }
}
