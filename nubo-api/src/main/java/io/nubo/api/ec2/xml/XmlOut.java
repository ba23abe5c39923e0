package io.nubo.api.ec2.xml;

import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.function.BiConsumer;

/**
 * Writes an EC2 XML document with StAX: elements in lower camel case, lists as
 * {@code <fooSet><item>..</item></fooSet>}, booleans as {@code true}/{@code false}, and times as
 * {@code 2026-05-01T12:00:00.000Z}. Null values are left out. Characters XML 1.0 cannot carry are
 * replaced by U+FFFD. Not thread-safe: one response uses one.
 */
public final class XmlOut {
    public static final String NAMESPACE = "http://ec2.amazonaws.com/doc/2016-11-15/";
    private static final XMLOutputFactory FACTORY = XMLOutputFactory.newFactory();
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    // A character writer, encoded once at the end: the JDK's StAX writer on a byte stream encodes
    // one byte at a time through a synchronized write, which made XML most of a big answer's cost.
    private final StringWriter text = new StringWriter(4096);
    private final XMLStreamWriter w;

    private XmlOut() {
        try {
            w = FACTORY.createXMLStreamWriter(text);
        } catch (XMLStreamException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A whole document whose root is {@code root}, in the EC2 namespace when {@code namespaced}. */
    public static byte[] document(String root, boolean namespaced, java.util.function.Consumer<XmlOut> body) {
        XmlOut out = new XmlOut();
        try {
            out.w.writeStartDocument("UTF-8", "1.0");
            out.w.writeStartElement(root);
            if (namespaced) {
                out.w.writeDefaultNamespace(NAMESPACE);
            }
            body.accept(out);
            out.w.writeEndElement();
            out.w.writeEndDocument();
            out.w.close();
        } catch (XMLStreamException e) {
            throw new IllegalStateException(e);
        }
        return out.text.toString().getBytes(StandardCharsets.UTF_8);
    }

    public XmlOut start(String name) {
        try {
            w.writeStartElement(name);
        } catch (XMLStreamException e) {
            throw new IllegalStateException(e);
        }
        return this;
    }

    public XmlOut end() {
        try {
            w.writeEndElement();
        } catch (XMLStreamException e) {
            throw new IllegalStateException(e);
        }
        return this;
    }

    /** {@code <name>value</name>}, or nothing when {@code value} is null. */
    public XmlOut text(String name, String value) {
        if (value != null) {
            start(name);
            try {
                w.writeCharacters(clean(value));
            } catch (XMLStreamException e) {
                throw new IllegalStateException(e);
            }
            end();
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
        return text(name, value == null ? null : TIME.format(value));
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

    /** The text with every character XML 1.0 cannot carry replaced by U+FFFD. */
    static String clean(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok;
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                if (b != null) {
                    b.append(c).append(s.charAt(i + 1));
                }
                i++;
                continue;
            }
            ok = c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD);
            if (!ok && b == null) {
                b = new StringBuilder(s.length());
                b.append(s, 0, i);
            }
            if (b != null) {
                b.append(ok ? c : '\uFFFD');
            }
        }
        return b == null ? s : b.toString();
    }
}
