package io.nubo.core.filter;

/**
 * EC2's filter wildcards: {@code *} matches any run of characters, {@code ?} exactly one, and a
 * backslash makes the next character literal. Matching is case-sensitive. Stateless.
 */
public final class Wildcard {
    private static final char ANY_RUN = '\uE000';
    private static final char ANY_ONE = '\uE001';

    private Wildcard() {
    }

    /** True when {@code pattern} holds an unescaped {@code *} or {@code ?}. */
    public static boolean has(String pattern) {
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '*' || c == '?') {
                return true;
            }
        }
        return false;
    }

    /** The pattern with its escapes removed, for a pattern without wildcards. */
    public static String literal(String pattern) {
        StringBuilder b = new StringBuilder(pattern.length());
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '\\' && i + 1 < pattern.length()) {
                c = pattern.charAt(++i);
            }
            b.append(c);
        }
        return b.toString();
    }

    public static boolean matches(String pattern, String value) {
        if (value == null) {
            return false;
        }
        char[] p = compile(pattern);
        // Greedy match with one backtracking point: linear in practice, O(n*m) at worst.
        int v = 0;
        int pi = 0;
        int starP = -1;
        int starV = 0;
        while (v < value.length()) {
            if (pi < p.length && (p[pi] == ANY_ONE || (p[pi] != ANY_RUN && p[pi] == value.charAt(v)))) {
                pi++;
                v++;
            } else if (pi < p.length && p[pi] == ANY_RUN) {
                starP = pi++;
                starV = v;
            } else if (starP >= 0) {
                pi = starP + 1;
                v = ++starV;
            } else {
                return false;
            }
        }
        while (pi < p.length && p[pi] == ANY_RUN) {
            pi++;
        }
        return pi == p.length;
    }

    /** The pattern as characters, with wildcards as private-use markers and escapes resolved. */
    private static char[] compile(String pattern) {
        StringBuilder b = new StringBuilder(pattern.length());
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '\\' && i + 1 < pattern.length()) {
                b.append(pattern.charAt(++i));
            } else if (c == '*') {
                b.append(ANY_RUN);
            } else if (c == '?') {
                b.append(ANY_ONE);
            } else {
                b.append(c);
            }
        }
        return b.toString().toCharArray();
    }
}
