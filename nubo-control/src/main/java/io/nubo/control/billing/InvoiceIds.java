package io.nubo.control.billing;

import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;

import java.time.YearMonth;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Invoice IDs name their account and month ({@code inv-123456789012-202501}), so a draft and the
 * invoice it becomes share one ID and two servers closing a month cannot make two. Stateless.
 */
public final class InvoiceIds {
    private static final Pattern ID = Pattern.compile("inv-(\\d{12})-(\\d{4})(\\d{2})");

    private InvoiceIds() {
    }

    /** An invoice's account and month. */
    public record Parts(String accountId, YearMonth month) {
    }

    public static String of(String accountId, YearMonth month) {
        return String.format("inv-%s-%04d%02d", accountId, month.getYear(), month.getMonthValue());
    }

    public static Parts parse(String id) {
        Matcher m = id == null ? null : ID.matcher(id);
        if (m == null || !m.matches() || Integer.parseInt(m.group(3)) < 1 || Integer.parseInt(m.group(3)) > 12) {
            throw NuboException.of(ErrorCode.INVALID_INVOICE_ID_MALFORMED,
                    "Invalid invoice id: \"%s\" (expecting \"inv-<account>-<yyyymm>\")", id);
        }
        return new Parts(m.group(1), YearMonth.of(Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))));
    }
}
