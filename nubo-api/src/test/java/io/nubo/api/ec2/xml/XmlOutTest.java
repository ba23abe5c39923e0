package io.nubo.api.ec2.xml;

import org.junit.jupiter.api.Test;

import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** XmlOut writes what the JDK's StAX writer wrote before it, byte for byte, for any text. */
class XmlOutTest {
    private static final List<String> TEXTS = List.of("", "plain", "a & b < c > d \" ' e", "tab\tnew\nline\rcr",
            "caf\u00e9 \u4e2d\u6587 \u20ac", "emoji \ud83d\ude00 pair", "lone \ud800 high", "lone \udc00 low", "nul \u0000 bell \u0007",
            "\ufffe\uffff end", "\u007f\u0080\u07ff\u0800\ud7ff\ue000\ufffd", "]]> cdata end", "&amp; already");

    @Test
    void textIsTheSameAsStaxWrote() throws Exception {
        for (boolean namespaced : new boolean[]{true, false}) {
            byte[] mine = XmlOut.document("TestResponse", namespaced, o -> {
                o.text("requestId", "r-1");
                o.list("itemSet", TEXTS, (x, t) -> x.text("value", t).text("absent", null));
                o.values("valueSet", TEXTS);
                o.list("emptySet", List.<String>of(), (x, t) -> { });
                o.struct("nested", () -> o.bool("flag", true).number("count", 42).time("at", Instant.parse("2026-05-01T12:00:00Z")));
            });
            assertThat(new String(mine, StandardCharsets.UTF_8)).isEqualTo(stax(namespaced));
        }
    }

    @Test
    void aLargeDocumentReadsTheSameFromItsChunks() throws Exception {
        // Values far longer than a chunk, and multi-byte characters across chunk boundaries.
        StringBuilder mixed = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            mixed.append(i % 7 == 0 ? "\u00e9" : i % 11 == 0 ? "\ud83d\ude00" : i % 13 == 0 ? "&" : "x");
        }
        List<String> values = List.of("a".repeat(100_000), mixed.toString(), "z");
        ByteChunks chunks = XmlOut.chunks("Big", false, o -> o.values("valueSet", values));
        byte[] whole = chunks.toByteArray();
        assertThat(chunks.size()).isEqualTo(whole.length);
        java.io.ByteArrayOutputStream written = new java.io.ByteArrayOutputStream();
        chunks.writeTo(written);
        assertThat(written.toByteArray()).isEqualTo(whole);
        StringWriter s = new StringWriter();
        XMLStreamWriter w = XMLOutputFactory.newFactory().createXMLStreamWriter(s);
        w.writeStartDocument("UTF-8", "1.0");
        w.writeStartElement("Big");
        w.writeStartElement("valueSet");
        for (String v : values) {
            text(w, "item", v);
        }
        w.writeEndElement();
        w.writeEndElement();
        w.writeEndDocument();
        w.close();
        assertThat(new String(whole, StandardCharsets.UTF_8)).isEqualTo(s.toString());
    }

    @Test
    void timesAreWrittenAsTheFormatterWroteThem() {
        var formatter = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(java.time.ZoneOffset.UTC);
        for (String t : List.of("2026-05-01T12:00:00Z", "1970-01-01T00:00:00Z", "2026-12-31T23:59:59.999999999Z",
                "2000-02-29T01:02:03.004Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.5Z", "1969-12-31T23:59:59.123456Z")) {
            Instant i = Instant.parse(t);
            assertThat(XmlOut.time(i)).as(t).isEqualTo(formatter.format(i));
        }
    }

    @Test
    void aFragmentWritesWhatItsElementsWouldHave() {
        XmlOut.Fragment f = XmlOut.fragment(o -> o.text("a", "x & y").list("none", List.<String>of(), (x, t) -> { }));
        byte[] withFragment = XmlOut.document("R", true, o -> o.start("s").fragment(f).text("b", "z").end().fragment(f));
        byte[] direct = XmlOut.document("R", true, o -> o.start("s").text("a", "x & y").list("none", List.<String>of(), (x, t) -> { })
                .text("b", "z").end().text("a", "x & y").list("none", List.<String>of(), (x, t) -> { }));
        assertThat(new String(withFragment, StandardCharsets.UTF_8)).isEqualTo(new String(direct, StandardCharsets.UTF_8));
        assertThatThrownBy(() -> XmlOut.fragment(o -> o.start("open"))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void anUnclosedElementIsAProgrammingError() {
        assertThatThrownBy(() -> XmlOut.document("R", false, o -> o.start("open"))).isInstanceOf(IllegalStateException.class);
    }

    /** The same document as the StAX writer wrote it, with the replacement XmlOut documents. */
    private static String stax(boolean namespaced) throws Exception {
        StringWriter s = new StringWriter();
        XMLStreamWriter w = XMLOutputFactory.newFactory().createXMLStreamWriter(s);
        w.writeStartDocument("UTF-8", "1.0");
        w.writeStartElement("TestResponse");
        if (namespaced) {
            w.writeDefaultNamespace(XmlOut.NAMESPACE);
        }
        text(w, "requestId", "r-1");
        w.writeStartElement("itemSet");
        for (String t : TEXTS) {
            w.writeStartElement("item");
            text(w, "value", t);
            w.writeEndElement();
        }
        w.writeEndElement();
        w.writeStartElement("valueSet");
        for (String t : TEXTS) {
            text(w, "item", t);
        }
        w.writeEndElement();
        w.writeStartElement("emptySet");
        w.writeEndElement();
        w.writeStartElement("nested");
        text(w, "flag", "true");
        text(w, "count", "42");
        text(w, "at", "2026-05-01T12:00:00.000Z");
        w.writeEndElement();
        w.writeEndElement();
        w.writeEndDocument();
        w.close();
        return s.toString();
    }

    private static void text(XMLStreamWriter w, String name, String value) throws Exception {
        w.writeStartElement(name);
        w.writeCharacters(replaceInvalid(value));
        w.writeEndElement();
    }

    /** What XML 1.0 cannot carry becomes U+FFFD (valid surrogate pairs stay). */
    private static String replaceInvalid(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                b.append(c).append(s.charAt(++i));
                continue;
            }
            boolean ok = c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD);
            b.append(ok ? c : '\ufffd');
        }
        return b.toString();
    }
}
