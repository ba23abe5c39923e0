package io.nubo.control.keys;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.BufferUnderflowException;
import java.nio.charset.StandardCharsets;

/** SSH wire encoding (RFC 4251): uint32-length-prefixed strings and mpints. Not thread-safe. */
final class SshWire {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    SshWire uint32(int v) {
        out.write(v >>> 24);
        out.write(v >>> 16);
        out.write(v >>> 8);
        out.write(v);
        return this;
    }

    SshWire string(byte[] b) {
        uint32(b.length);
        out.writeBytes(b);
        return this;
    }

    SshWire string(String s) {
        return string(s.getBytes(StandardCharsets.UTF_8));
    }

    SshWire mpint(BigInteger v) {
        return string(v.toByteArray());
    }

    SshWire raw(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    int size() {
        return out.size();
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    /** Reads SSH wire strings from a blob; throws IllegalArgumentException on truncation. */
    static final class Reader {
        private final ByteBuffer buf;

        Reader(byte[] blob) {
            this.buf = ByteBuffer.wrap(blob);
        }

        byte[] string() {
            try {
                int n = buf.getInt();
                if (n < 0 || n > buf.remaining()) {
                    throw new IllegalArgumentException("truncated key blob");
                }
                byte[] b = new byte[n];
                buf.get(b);
                return b;
            } catch (BufferUnderflowException e) {
                throw new IllegalArgumentException("truncated key blob");
            }
        }

        String text() {
            return new String(string(), StandardCharsets.UTF_8);
        }

        BigInteger mpint() {
            byte[] b = string();
            if (b.length == 0) {
                throw new IllegalArgumentException("empty mpint");
            }
            return new BigInteger(b);
        }

        boolean atEnd() {
            return !buf.hasRemaining();
        }
    }
}
