package io.nubo.api.ec2.xml;

import java.io.InputStream;
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
    private static final int FIRST = 4 * 1024;
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

    /** The bytes, read chunk by chunk (nothing is copied into one array). */
    public InputStream inputStream() {
        List<byte[]> chunks = new ArrayList<>(full);
        chunks.add(java.util.Arrays.copyOf(buf, len));
        return new InputStream() {
            private int chunk;
            private int pos;

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int n) {
                if (n == 0) {
                    return 0;
                }
                while (chunk < chunks.size() && pos == chunks.get(chunk).length) {
                    chunk++;
                    pos = 0;
                }
                if (chunk == chunks.size()) {
                    return -1;
                }
                byte[] c = chunks.get(chunk);
                int k = Math.min(n, c.length - pos);
                System.arraycopy(c, pos, b, off, k);
                pos += k;
                return k;
            }

            @Override
            public int available() {
                return chunk < chunks.size() ? chunks.get(chunk).length - pos : 0;
            }
        };
    }
}
