package io.nubo.api.agent;

import io.javalin.http.Context;
import io.nubo.control.hosts.HostImageFiles;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sends an image's file to an agent ({@code GET /agent/v1/images/{id}}), a block at a time from
 * disk, never whole in memory: images are gigabytes. The answer names the file's SHA-256 and size
 * ({@value #SHA256_HEADER}, {@value #SIZE_HEADER}), which the agent checks before it uses the file.
 * {@code Range: bytes=N-} resumes an interrupted download (206 with {@code Content-Range}); a start
 * at or past the end is 416, and any other range form is ignored (the whole file, 200), as HTTP
 * allows. Stateless.
 */
final class ImageStreaming {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ImageStreaming.class);
    static final String SHA256_HEADER = "X-Nubo-Image-Sha256";
    static final String SIZE_HEADER = "X-Nubo-Image-Size";
    static final String FORMAT_HEADER = "X-Nubo-Image-Format";
    private static final Pattern FROM = Pattern.compile("bytes=(\\d{1,18})-");
    private static final int BLOCK = 1 << 20;

    private ImageStreaming() {
    }

    static void send(Context ctx, HostImageFiles.ImageFile file) throws IOException {
        long size = file.sizeBytes();
        long from = 0;
        String range = ctx.header("Range");
        Matcher m = range == null ? null : FROM.matcher(range.trim());
        ctx.header(SHA256_HEADER, file.sha256());
        ctx.header(SIZE_HEADER, Long.toString(size));
        ctx.header(FORMAT_HEADER, file.format());
        ctx.header("Accept-Ranges", "bytes");
        if (m != null && m.matches()) {
            from = Long.parseLong(m.group(1));
            if (from >= size) {
                ctx.status(416).header("Content-Range", "bytes */" + size);
                return;
            }
            ctx.status(206).header("Content-Range", "bytes " + from + "-" + (size - 1) + "/" + size);
        } else {
            ctx.status(200);
        }
        ctx.contentType("application/octet-stream");
        ctx.res().setContentLengthLong(size - from);
        try (FileChannel ch = FileChannel.open(file.path(), StandardOpenOption.READ)) {
            OutputStream out = ctx.res().getOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(BLOCK);
            long position = from;
            long left = size - from;
            while (left > 0) {
                buf.clear().limit((int) Math.min(BLOCK, left));
                int n = ch.read(buf, position);
                if (n < 0) {
                    // The file shrank under us: end short, so that the agent sees an incomplete download.
                    throw new IOException("the file of " + file.imageId() + " ended " + left + " bytes early");
                }
                try {
                    out.write(buf.array(), 0, n);
                } catch (IOException e) {
                    // The agent went away mid-file (it resumes later); nothing is wrong on this side.
                    LOG.info("a download of image {} ended after {} of {} bytes: {}", file.imageId(), position, size, e.toString());
                    return;
                }
                position += n;
                left -= n;
            }
            out.flush();
        }
    }
}
