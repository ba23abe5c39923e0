package io.nubo.api.ec2.xml;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Writes an EC2 XML document: elements in lower camel case, lists as
 * {@code <fooSet><item>..</item></fooSet>}, booleans as {@code true}/{@code false}, and times as
 * {@code 2026-05-01T12:00:00.000Z}. Null values are left out. Characters XML 1.0 cannot carry are
 * replaced by U+FFFD. Not thread-safe: one response uses one.
 *
 * <p>It writes UTF-8 bytes straight into {@link ByteChunks} instead of going through the JDK's
 * StAX writer: on a full DescribeInstances (1,000 instances, 1.1 MB) StAX cost 4 to 7 ms of CPU
 * even on an unsynchronised character buffer, this about 2 ms, and XML was most of the JVM's time
 * for that answer. The output is the same as StAX's: the same declaration, {@code <a></a>} for
 * empty elements, and {@code &amp;}, {@code &lt;}, {@code &gt;} escaped in text. Element names
 * are the program's own constants and are written as they are.
 */
public final class XmlOut {
    public static final String NAMESPACE = "http://ec2.amazonaws.com/doc/2016-11-15/";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final byte[] DECLARATION = ascii("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    private static final byte[] REPLACEMENT = "\ufffd".getBytes(StandardCharsets.UTF_8);
    private static final byte[] AMP = ascii("&amp;");
    private static final byte[] LT = ascii("&lt;");
    private static final byte[] GT = ascii("&gt;");

    private final ByteChunks out = new ByteChunks();
    private final ArrayDeque<Tag> open = new ArrayDeque<>();

    private XmlOut() {
    }

    /** A whole document whose root is {@code root}, in the EC2 namespace when {@code namespaced}. */
    public static byte[] document(String root, boolean namespaced, Consumer<XmlOut> body) {
        return chunks(root, namespaced, body).toByteArray();
    }

    /** The same document, left in chunks (for large answers: see {@link ByteChunks}). */
    public static ByteChunks chunks(String root, boolean namespaced, Consumer<XmlOut> body) {
        XmlOut x = new XmlOut();
        x.out.put(DECLARATION);
        x.out.putAscii("<" + root + (namespaced ? " xmlns=\"" + NAMESPACE + "\">" : ">"));
        x.open.push(new Tag(ascii("<" + root + ">"), ascii("</" + root + ">")));
        body.accept(x);
        x.end();
        if (!x.open.isEmpty()) {
            throw new IllegalStateException("unclosed elements: " + x.open.size());
        }
        return x.out;
    }

    public XmlOut start(String name) {
        Tag t = tag(name);
        out.put(t.open());
        open.push(t);
        return this;
    }

    public XmlOut end() {
        out.put(open.pop().close());
        return this;
    }

    /** {@code <name>value</name>}, or nothing when {@code value} is null. */
    public XmlOut text(String name, String value) {
        if (value != null) {
            Tag t = tag(name);
            out.put(t.open());
            escaped(value);
            out.put(t.close());
        }
        return this;
    }

    public XmlOut bool(String name, Boolean value) {
        return text(name, value == null ? null : value.toString());
    }

    public XmlOut number(String name, Number value) {
        return text(name, value == null ? null : value.toString());
    }

    public XmlOut time(String name, Instant value) {
        return text(name, value == null ? null : time(value));
    }

    /**
     * {@code 2026-05-01T12:00:00.000Z}, as {@code DateTimeFormatter} with that pattern writes it, by
     * hand: the formatter was 6% of a 1,000-instance answer's time.
     */
    static String time(Instant t) {
        LocalDateTime d = LocalDateTime.ofEpochSecond(t.getEpochSecond(), t.getNano(), ZoneOffset.UTC);
        if (d.getYear() < 0 || d.getYear() > 9999) {
            return TIME.format(t);
        }
        char[] c = "0000-00-00T00:00:00.000Z".toCharArray();
        put(c, 0, d.getYear(), 4);
        put(c, 5, d.getMonthValue(), 2);
        put(c, 8, d.getDayOfMonth(), 2);
        put(c, 11, d.getHour(), 2);
        put(c, 14, d.getMinute(), 2);
        put(c, 17, d.getSecond(), 2);
        put(c, 20, t.getNano() / 1_000_000, 3);
        return new String(c);
    }

    private static void put(char[] c, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            c[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }

    /** A structure: {@code <name>...</name>}. */
    public XmlOut struct(String name, Runnable fields) {
        start(name);
        fields.run();
        return end();
    }

    /** A list: {@code <name><item>...</item>...</name>}, written even when empty, as EC2 does. */
    public <T> XmlOut list(String name, Collection<T> items, BiConsumer<XmlOut, T> item) {
        start(name);
        for (T t : items) {
            start("item");
            item.accept(this, t);
            end();
        }
        return end();
    }

    /** A list of plain values: {@code <name><item>value</item>...</name>}. */
    public XmlOut values(String name, Collection<String> items) {
        start(name);
        items.forEach(v -> text("item", v));
        return end();
    }

    /** XML that never changes, encoded once: see {@link #fragment(Consumer)}. */
    public static final class Fragment {
        private final byte[] bytes;

        private Fragment(byte[] bytes) {
            this.bytes = bytes;
        }
    }

    /**
     * Elements written once and kept as bytes, for the constant runs of a large answer (a third
     * of an instance's elements never change): {@link #fragment(Fragment)} copies them.
     */
    public static Fragment fragment(Consumer<XmlOut> body) {
        XmlOut x = new XmlOut();
        body.accept(x);
        if (!x.open.isEmpty()) {
            throw new IllegalStateException("unclosed elements in a fragment: " + x.open.size());
        }
        return new Fragment(x.out.toByteArray());
    }

    /** Writes a fragment's elements here. */
    public XmlOut fragment(Fragment f) {
        out.put(f.bytes);
        return this;
    }

    /** {@code <name>} and {@code </name>} as bytes, made once per element name. */
    private record Tag(byte[] open, byte[] close) {
    }

    // Element names are the program's constants (a few hundred), so this stays small.
    private static final Map<String, Tag> TAGS = new ConcurrentHashMap<>();

    private static Tag tag(String name) {
        Tag t = TAGS.get(name);
        if (t == null) {
            t = new Tag(ascii("<" + name + ">"), ascii("</" + name + ">"));
            TAGS.put(name, t);
        }
        return t;
    }

    /**
     * Character data as UTF-8 with {@code & < >} escaped; a character XML 1.0 cannot carry (a
     * control character, a lone surrogate, U+FFFE, U+FFFF) becomes U+FFFD.
     */
    private void escaped(String s) {
        int n = s.length();
        if (plainAscii(s, n)) {
            out.putAscii(s);
            return;
        }
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x80) {
                switch (c) {
                    case '&' -> out.put(AMP);
                    case '<' -> out.put(LT);
                    case '>' -> out.put(GT);
                    default -> out.put((byte) c);
                }
            } else if (c < 0x20) {
                if (c == 0x9 || c == 0xA || c == 0xD) {
                    out.put((byte) c);
                } else {
                    out.put(REPLACEMENT);
                }
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                out.put((byte) (0xF0 | (cp >> 18)));
                out.put((byte) (0x80 | ((cp >> 12) & 0x3F)));
                out.put((byte) (0x80 | ((cp >> 6) & 0x3F)));
                out.put((byte) (0x80 | (cp & 0x3F)));
            } else if (Character.isSurrogate(c) || c == 0xFFFE || c == 0xFFFF) {
                out.put(REPLACEMENT);
            } else if (c < 0x800) {
                out.put((byte) (0xC0 | (c >> 6)));
                out.put((byte) (0x80 | (c & 0x3F)));
            } else {
                out.put((byte) (0xE0 | (c >> 12)));
                out.put((byte) (0x80 | ((c >> 6) & 0x3F)));
                out.put((byte) (0x80 | (c & 0x3F)));
            }
        }
    }

    /** True when every character is printable ASCII other than {@code & < >}: most values. */
    private static boolean plainAscii(String s, int n) {
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c >= 0x7F || c == '&' || c == '<' || c == '>') {
                return false;
            }
        }
        return true;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
