package io.nubo.store;

import io.nubo.core.filter.Wildcard;

/**
 * Turns an EC2 filter value ({@code *} any run, {@code ?} one character, {@code \} escapes the next
 * character) into a SQL LIKE pattern whose escape character is {@code !} (Jdbi's SQL parser treats
 * a backslash specially).
 */
public final class Wildcards {
    private Wildcards() {
    }

    public static boolean has(String value) {
        return Wildcard.has(value);
    }

    /** The value a pattern without wildcards stands for. */
    public static String literal(String value) {
        return Wildcard.literal(value);
    }

    public static String toLike(String value) {
        StringBuilder b = new StringBuilder(value.length() + 4);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' && i + 1 < value.length()) {
                c = value.charAt(++i);
                appendLiteral(b, c);
                continue;
            }
            switch (c) {
                case '*' -> b.append('%');
                case '?' -> b.append('_');
                default -> appendLiteral(b, c);
            }
        }
        return b.toString();
    }

    private static void appendLiteral(StringBuilder b, char c) {
        if (c == '%' || c == '_' || c == '!') {
            b.append('!');
        }
        b.append(c);
    }
}
