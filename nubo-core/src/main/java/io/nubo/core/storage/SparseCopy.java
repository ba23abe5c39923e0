package io.nubo.core.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.function.IntConsumer;

/**
 * Copies a raw disk file the way a snapshot or a volume made from one needs it: into a scratch
 * file, leaving holes where the source reads zeros (so a 1 GiB volume with 100 MiB written costs
 * about 100 MiB), synced, then moved to its final name in one step. A crash therefore leaves
 * either no final file or a whole one, plus at most a scratch file that its owner deletes and
 * writes again. Stateless.
 */
public final class SparseCopy {
    private static final int BLOCK = 1 << 20;

    private SparseCopy() {
    }

    /**
     * Copies {@code source} to {@code target} through {@code scratch} (both made anew), giving
     * the copy {@code sizeBytes} (at least the source's length; a larger size leaves a hole at
     * the end). {@code progress} hears whole percents as they pass.
     */
    public static void copy(Path source, Path scratch, Path target, long sizeBytes, IntConsumer progress) throws IOException {
        Files.createDirectories(scratch.getParent());
        Files.deleteIfExists(scratch);
        try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ);
             FileChannel out = FileChannel.open(scratch, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long length = in.size();
            ByteBuffer buf = ByteBuffer.allocateDirect(BLOCK);
            long pos = 0;
            int lastPercent = -1;
            while (pos < length) {
                buf.clear();
                int n = in.read(buf, pos);
                if (n < 0) {
                    break;
                }
                buf.flip();
                if (!allZero(buf)) {
                    long at = pos;
                    while (buf.hasRemaining()) {
                        at += out.write(buf, at);
                    }
                }
                pos += n;
                int percent = (int) (pos * 100 / Math.max(1, length));
                if (percent != lastPercent) {
                    progress.accept(percent);
                    lastPercent = percent;
                }
            }
            long size = Math.max(length, sizeBytes);
            if (out.size() < size) {
                out.write(ByteBuffer.allocate(1), size - 1); // the last byte sets the length; a zero is a zero
            }
            out.force(true);
        }
        finish(scratch, target);
    }

    /** Moves a written, synced scratch file to its final name, atomically, and syncs the directory so the name survives a crash. */
    public static void finish(Path scratch, Path target) throws IOException {
        Files.createDirectories(target.getParent());
        try (FileChannel f = FileChannel.open(scratch, StandardOpenOption.WRITE)) {
            f.force(true);
        }
        Files.move(scratch, target, StandardCopyOption.ATOMIC_MOVE);
        try (FileChannel dir = FileChannel.open(target.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            // Some file systems do not sync directories; the move is still atomic.
        }
    }

    private static boolean allZero(ByteBuffer buf) {
        int i = buf.position();
        int end = buf.limit();
        for (; i + 8 <= end; i += 8) {
            if (buf.getLong(i) != 0) {
                return false;
            }
        }
        for (; i < end; i++) {
            if (buf.get(i) != 0) {
                return false;
            }
        }
        return true;
    }
}
