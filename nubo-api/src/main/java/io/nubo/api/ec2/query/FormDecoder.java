package io.nubo.api.ec2.query;

import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Decodes {@code application/x-www-form-urlencoded} text, as EC2 requests carry their parameters in
 * a POST body or a GET query string: {@code &}-separated {@code name=value} pairs, percent-encoded
 * UTF-8, {@code +} for a space. Malformed escapes and invalid UTF-8 are {@code InvalidRequest}.
 * Stateless.
 */
public final class FormDecoder {
    public static final int MAX_PAIRS = 10_000;

    private FormDecoder() {
    }

    /** The pairs in order; a name without {@code =} has the empty value. */
    public static List<Map.Entry<String, String>> pairs(String raw) {
        List<Map.Entry<String, String>> out = new ArrayList<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        int start = 0;
        while (start <= raw.length()) {
            int end = raw.indexOf('&', start);
            if (end < 0) {
                end = raw.length();
            }
            if (end > start) {
                String segment = raw.substring(start, end);
                int eq = segment.indexOf('=');
                String name = decode(eq < 0 ? segment : segment.substring(0, eq));
                String value = eq < 0 ? "" : decode(segment.substring(eq + 1));
                out.add(Map.entry(name, value));
                if (out.size() > MAX_PAIRS) {
                    throw NuboException.of(ErrorCode.INVALID_REQUEST, "The request has more than %d parameters", MAX_PAIRS);
                }
            }
            start = end + 1;
        }
        return out;
    }

    /** The body's pairs; raw bytes outside escapes are taken as UTF-8 too. */
    public static List<Map.Entry<String, String>> pairs(byte[] body) {
        return pairs(new String(body, StandardCharsets.ISO_8859_1));
    }

    /** Percent-decodes one component; {@code raw} holds one char per byte (ISO-8859-1). */
    public static String decode(String raw) {
        if (raw.indexOf('%') < 0 && raw.indexOf('+') < 0 && raw.chars().allMatch(c -> c < 0x80)) {
            return raw;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length()) {
                    throw malformed();
                }
                int hi = Character.digit(raw.charAt(i + 1), 16);
                int lo = Character.digit(raw.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw malformed();
                }
                bytes.write(hi * 16 + lo);
                i += 2;
            } else if (c == '+') {
                bytes.write(' ');
            } else if (c > 0xff) {
                throw malformed();
            } else {
                bytes.write(c);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw NuboException.of(ErrorCode.INVALID_REQUEST, "The request's parameters are not valid UTF-8");
        }
    }

    private static NuboException malformed() {
        return NuboException.of(ErrorCode.INVALID_REQUEST, "The request's parameters are not validly percent-encoded");
    }
}
