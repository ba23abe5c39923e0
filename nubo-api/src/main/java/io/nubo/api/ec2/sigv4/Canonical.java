package io.nubo.api.ec2.sigv4;

import io.nubo.api.ec2.query.FormDecoder;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** The pieces of SigV4's canonical request, built as the AWS SDKs build them. Stateless. */
final class Canonical {
    private static final HexFormat HEX = HexFormat.of();
    private static final Pattern SPACES = Pattern.compile("\\s+");

    private Canonical() {
    }

    /**
     * The canonical request: method, path, query, the named headers, their names, and the payload
     * hash, joined by newlines.
     */
    static String request(SignedRequest r, List<String> signedHeaders, String payloadHash, boolean skipSignatureParam) {
        StringBuilder b = new StringBuilder(512);
        b.append(r.method()).append('\n');
        b.append(uri(r.rawPath())).append('\n');
        b.append(query(r.rawQuery(), skipSignatureParam)).append('\n');
        for (String name : signedHeaders) {
            b.append(name).append(':').append(headerValue(r.header(name))).append('\n');
        }
        b.append('\n');
        b.append(String.join(";", signedHeaders)).append('\n');
        b.append(payloadHash);
        return b.toString();
    }

    /**
     * The path with dot segments and empty segments removed, then URI-encoded with its slashes
     * kept. The path is encoded as received, so an escape in it is encoded again, as AWS does for
     * every service but S3.
     */
    static String uri(String rawPath) {
        if (rawPath == null || rawPath.isEmpty()) {
            return "/";
        }
        List<String> out = new ArrayList<>();
        for (String seg : rawPath.split("/")) {
            if (seg.isEmpty() || seg.equals(".")) {
                continue;
            }
            if (seg.equals("..")) {
                if (!out.isEmpty()) {
                    out.remove(out.size() - 1);
                }
            } else {
                out.add(seg);
            }
        }
        String normalized = (rawPath.startsWith("/") ? "/" : "") + String.join("/", out)
                + (rawPath.endsWith("/") && !out.isEmpty() ? "/" : "");
        StringBuilder b = new StringBuilder(normalized.length() + 8);
        for (String part : normalized.split("/", -1)) {
            b.append(encode(part)).append('/');
        }
        String encoded = b.substring(0, b.length() - 1);
        return encoded.isEmpty() ? "/" : encoded;
    }

    /** The query's pairs, decoded and re-encoded strictly (RFC 3986), sorted by name then value. */
    static String query(String rawQuery, boolean skipSignatureParam) {
        List<String[]> pairs = new ArrayList<>();
        for (Map.Entry<String, String> e : FormDecoder.pairs(rawQuery)) {
            if (skipSignatureParam && e.getKey().equals("X-Amz-Signature")) {
                continue;
            }
            pairs.add(new String[]{encode(e.getKey()), encode(e.getValue())});
        }
        pairs.sort((x, y) -> {
            int c = x[0].compareTo(y[0]);
            return c != 0 ? c : x[1].compareTo(y[1]);
        });
        StringBuilder b = new StringBuilder();
        for (String[] p : pairs) {
            if (!b.isEmpty()) {
                b.append('&');
            }
            b.append(p[0]).append('=').append(p[1]);
        }
        return b.toString();
    }

    /** Header values: each trimmed with inner runs of spaces collapsed, joined by commas. */
    static String headerValue(List<String> values) {
        if (values.size() == 1) {
            return collapsed(values.get(0));
        }
        List<String> out = new ArrayList<>(values.size());
        for (String v : values) {
            out.add(collapsed(v));
        }
        return String.join(",", out);
    }

    /** The value trimmed, with runs of whitespace made one space; most values have none, and skip the regex. */
    private static String collapsed(String value) {
        String t = value.trim();
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (space(c) && (c != ' ' || space(t.charAt(i + 1)))) {
                return SPACES.matcher(t).replaceAll(" ");
            }
        }
        return t;
    }

    /** What the regex {@code \\s} matches. */
    private static boolean space(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
    }

    /** RFC 3986 encoding: unreserved characters stay, everything else is %XX of its UTF-8 bytes. */
    static String encode(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xff;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'
                    || c == '~') {
                b.append((char) c);
            } else {
                b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return b.toString();
    }

    static String sha256Hex(byte[] data) {
        try {
            // A clone of a fresh digest: cheaper than looking the algorithm up among the providers.
            return HEX.formatHex(((MessageDigest) SHA256.clone()).digest(data));
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final MessageDigest SHA256 = sha256();

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String hex(byte[] data) {
        return HEX.formatHex(data);
    }
}
