package io.nubo.api.ec2.xml;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A growing sequence of bytes kept as a list of small arrays, never as one large one. A 1 MB
 * answer in one array is a "humongous" object for G1 (anything over half a heap region, 1 MB
 * with 2 MB regions): it is allocated outside the young generation, and allocating them at the
 * rate of a busy DescribeInstances started a concurrent GC cycle every few requests. Every chunk
 * but the last is full. Not thread-safe.
 */
public final class ByteChunks {
    private static final int FIRST = 2 * 1024;   // most answers (one instance: 1.5 KB) fit
    private static final int NEXT = 32 * 1024;

    private final List<byte[]> full = new ArrayList<>();
    private int fullBytes;
    private byte[] buf = new byte[FIRST];
    private int len;

    void put(byte b) {
        if (len == buf.length) {
            next();
        }
        buf[len++] = b;
    }

    void put(byte[] b) {
        if (len + b.length <= buf.length) {
            System.arraycopy(b, 0, buf, len, b.length);
            len += b.length;
            return;
        }
        int from = 0;
        while (from < b.length) {
            if (len == buf.length) {
                next();
            }
            int n = Math.min(b.length - from, buf.length - len);
            System.arraycopy(b, from, buf, len, n);
            len += n;
            from += n;
        }
    }

    /** The low bytes of {@code s}'s characters: its UTF-8 encoding when it is all ASCII. */
    @SuppressWarnings("deprecation")   // String.getBytes(int, int, byte[], int) copies exactly that, fast
    void putAscii(String s) {
        int from = 0;
        int end = s.length();
        while (from < end) {
            if (len == buf.length) {
                next();
            }
            int n = Math.min(end - from, buf.length - len);
            s.getBytes(from, from + n, buf, len);
            len += n;
            from += n;
        }
    }

    private void next() {
        full.add(buf);
        fullBytes += buf.length;
        buf = new byte[NEXT];
        len = 0;
    }

    public int size() {
        return fullBytes + len;
    }

    public byte[] toByteArray() {
        byte[] out = new byte[size()];
        int at = 0;
        for (byte[] c : full) {
            System.arraycopy(c, 0, out, at, c.length);
            at += c.length;
        }
        System.arraycopy(buf, 0, out, at, len);
        return out;
    }

    /** Writes the bytes to {@code out}, chunk by chunk (nothing is copied into one array). */
    public void writeTo(OutputStream out) throws IOException {
        for (byte[] c : full) {
            out.write(c);
        }
        out.write(buf, 0, len);
    }
}
