package io.nubo.control.billing;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits an accrual interval at UTC midnights. Times count in whole seconds (truncated), so that
 * every replica and every rebuild cuts the same pieces. The seconds billed beyond the elapsed
 * time (the one-minute minimum's top-up) go on the first piece. Stateless.
 */
final class DayPieces {
    private DayPieces() {
    }

    /** One UTC day's part of an interval: [{@code start}, {@code end}) and the seconds billed for it. */
    record Piece(LocalDate day, Instant start, Instant end, long seconds) {
    }

    /** The elapsed whole seconds of [{@code start}, {@code end}); never negative. */
    static long elapsed(Instant start, Instant end) {
        return Math.max(0, end.getEpochSecond() - start.getEpochSecond());
    }

    /**
     * The pieces of [{@code start}, {@code end}) with {@code minimumSeconds} billed at least in
     * all. An interval that begins and ends in the same second is one piece of zero elapsed time.
     */
    static List<Piece> split(Instant start, Instant end, long minimumSeconds) {
        Instant s = Instant.ofEpochSecond(start.getEpochSecond());
        Instant e = Instant.ofEpochSecond(Math.max(start.getEpochSecond(), end.getEpochSecond()));
        long topUp = Math.max(0, minimumSeconds - elapsed(s, e));
        List<Piece> out = new ArrayList<>();
        Instant cursor = s;
        do {
            LocalDate day = LocalDate.ofInstant(cursor, ZoneOffset.UTC);
            Instant midnight = day.plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC);
            Instant pieceEnd = midnight.isBefore(e) ? midnight : e;
            long seconds = elapsed(cursor, pieceEnd) + (out.isEmpty() ? topUp : 0);
            out.add(new Piece(day, cursor, pieceEnd, seconds));
            cursor = pieceEnd;
        } while (cursor.isBefore(e));
        return out;
    }
}
