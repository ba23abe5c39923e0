package io.nubo.core.agent;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * The console port's wire format, shared by the agent that serves it and the control plane that
 * calls it: one request line, {@code NUBO-CONSOLE/1 <op> <instance-id> <arg> <key-hex>}, answered
 * by one line, {@code OK}, {@code OK <n>} or {@code ERR <why>}; then the VNC stream, or the
 * {@code n} bytes of a tail.
 */
public final class ConsoleProtocol {
    public static final String MAGIC = "NUBO-CONSOLE/1";
    public static final int MAX_LINE = 512;
    /** The key's length in bytes. */
    public static final int KEY_BYTES = 32;

    private ConsoleProtocol() {
    }

    public static byte[] request(String op, String instanceId, String arg, byte[] key) {
        return (MAGIC + " " + op + " " + instanceId + " " + arg + " " + HexFormat.of().formatHex(key) + "\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** One line up to '\n', at most {@link #MAX_LINE} bytes, read byte by byte so that nothing after it is consumed. */
    public static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) != '\n'; ) {
            if (b < 0 || line.size() >= MAX_LINE) {
                throw new IOException(b < 0 ? "the connection closed mid-line" : "line too long");
            }
            line.write(b);
        }
        return line.toString(StandardCharsets.US_ASCII);
    }
}
