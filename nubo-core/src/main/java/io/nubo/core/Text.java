package io.nubo.core;

/** Checks on caller-supplied text that is stored and shown again (names, descriptions, tags). Stateless. */
public final class Text {
    private Text() {
    }

    /**
     * True when {@code s} has no control characters, lone surrogates or non-characters, so that it
     * can be shown in any API answer (XML 1.0 cannot carry most control characters at all).
     */
    public static boolean printable(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0xfffe || c == 0xffff) {
                return false;
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}
