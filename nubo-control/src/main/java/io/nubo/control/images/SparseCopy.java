package io.nubo.control.images;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.function.LongConsumer;

/**
 * Copies a stream into a new file a block at a time, never holding more than one block in
 * memory, and leaves a hole wherever a whole block is zeros, so a mostly empty raw disk stays
 * small on the pool. Computes the SHA-256 of what it read on the way, when asked (an upload's
 * digest is checked; a download's is not worth its CPU). Stateless.
 */
final class SparseCopy {
    static final int BLOCK = 1 << 20;
    private static final byte[] ZEROS = new byte[BLOCK];

    /** How many bytes were read, and their SHA-256. */
    record Result(long bytes, byte[] sha256) {
    }

    /** The source held more than the caller allowed; nothing more was read. */
    static final class TooLong extends IOException {
        TooLong(long limit) {
            super("the source is larger than " + limit + " bytes");
        }
    }

    private SparseCopy() {
    }

    /**
     * Copies {@code in} into {@code target}, which must not exist. With {@code upload}, the result
     * carries the SHA-256 of what was read, and the file is synced to disk before this returns,
     * since the client is then told it arrived; otherwise the digest is an empty array, and the
     * file is synced only if it becomes the image (a scratch copy is rewritten after a crash). Fails
     * with {@link TooLong} as soon as more than {@code maxBytes} arrive. {@code progress} hears the
     * running byte count after each block.
     */
    static Result copy(InputStream in, Path target, long maxBytes, boolean upload, LongConsumer progress) throws IOException {
        MessageDigest sha256 = upload ? sha256() : null;
        byte[] block = new byte[BLOCK];
        long total = 0;
        Files.createFile(target);
        try (RandomAccessFile file = new RandomAccessFile(target.toFile(), "rw"); FileChannel out = file.getChannel()) {
            while (true) {
                int n = in.readNBytes(block, 0, BLOCK);
                if (n == 0) {
                    break;
                }
                if (total + n > maxBytes) {
                    throw new TooLong(maxBytes);
                }
                if (sha256 != null) {
                    sha256.update(block, 0, n);
                }
                if (Arrays.mismatch(block, 0, n, ZEROS, 0, n) != -1) {
                    ByteBuffer buf = ByteBuffer.wrap(block, 0, n);
                    long at = total;
                    while (buf.hasRemaining()) {
                        at += out.write(buf, at);
                    }
                }
                total += n;
                progress.accept(total);
            }
            // Trailing zero blocks were skipped: give the file its full length (a hole, not data).
            file.setLength(total);
            if (upload) {
                out.force(true);
            }
        }
        return new Result(total, sha256 == null ? new byte[0] : sha256.digest());
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
