package io.nubo.control.billing;

import io.nubo.core.billing.Money;

import java.util.Currency;

/** An invoice as CSV (RFC 4180): one row per line, then a total row. Stateless. */
public final class InvoiceCsv {
    public static final String HEADER = "invoice_id,account_id,month,status,currency,line,usage_type,resource_id,sku,quantity,unit,"
            + "unit_price_micros,price_unit,amount";

    private InvoiceCsv() {
    }

    public static String of(Invoice inv) {
        Currency c = Currency.getInstance(inv.currency());
        StringBuilder b = new StringBuilder(HEADER).append("\r\n");
        String prefix = String.join(",", inv.id(), inv.accountId(), inv.month().toString(), inv.status().name().toLowerCase(java.util.Locale.ROOT),
                inv.currency());
        for (Invoice.Line l : inv.lines()) {
            b.append(prefix).append(',').append(l.lineNo()).append(',').append(field(l.usageType())).append(',')
                    .append(field(l.resourceId())).append(',').append(field(l.sku())).append(',').append(l.quantity()).append(',')
                    .append(field(l.unit())).append(',').append(l.unitPriceMicros()).append(',').append(field(l.priceUnit())).append(',')
                    .append(Money.format(l.amountMinor(), c)).append("\r\n");
        }
        b.append(prefix).append(",total,,,,,,,,").append(Money.format(inv.totalMinor(), c)).append("\r\n");
        return b.toString();
    }

    private static String field(String s) {
        if (s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")) {
            return "\"" + s.replace("\"", "\"\"") + "\"";
        }
        return s;
    }
}
