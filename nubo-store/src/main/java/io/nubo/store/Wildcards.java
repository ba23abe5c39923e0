package io.nubo.store;

/**
 * Turns an EC2 filter value ({@code *} any run, {@code ?} one character) into a SQL LIKE pattern
 * whose escape character is {@code !} (Jdbi's SQL parser treats a backslash specially).
 */
public final class Wildcards {
    private Wildcards() {
    }

    public static boolean has(String value) {
        return value.indexOf('*') >= 0 || value.indexOf('?') >= 0;
    }

    public static String toLike(String value) {
        StringBuilder b = new StringBuilder(value.length() + 4);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '*' -> b.append('%');
                case '?' -> b.append('_');
                case '%', '_', '!' -> b.append('!').append(c);
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
