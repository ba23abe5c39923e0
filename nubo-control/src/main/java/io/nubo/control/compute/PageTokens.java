package io.nubo.control.compute;

import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;
import io.nubo.store.Instances;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;

/** Opaque pagination tokens for listings ordered by (time, id). */
final class PageTokens {
    private PageTokens() {
    }

    static String encode(Instant time, String id) {
        long micros = ChronoUnit.MICROS.between(Instant.EPOCH, time);
        return Base64.getUrlEncoder().withoutPadding().encodeToString((micros + ":" + id).getBytes(StandardCharsets.UTF_8));
    }

    static Instances.Cursor decode(String token) {
        try {
            String s = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            int colon = s.indexOf(':');
            long micros = Long.parseLong(s.substring(0, colon));
            String id = s.substring(colon + 1);
            if (id.isEmpty()) {
                throw new IllegalArgumentException();
            }
            return new Instances.Cursor(Instant.EPOCH.plus(micros, ChronoUnit.MICROS), id);
        } catch (RuntimeException e) {
            throw NuboException.of(ErrorCode.INVALID_PAGINATION_TOKEN, "Invalid pagination token '%s'", token);
        }
    }
}
