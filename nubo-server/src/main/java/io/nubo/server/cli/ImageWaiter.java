package io.nubo.server.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * Waits for an import to end, printing its state and progress to stderr as they change; returns
 * the image once it is available, and fails with the reason when it failed.
 */
final class ImageWaiter {
    private static final Duration POLL = Duration.ofMillis(250);
    private static final Duration LIMIT = Duration.ofHours(6);

    private ImageWaiter() {
    }

    static JsonNode await(NuboClient client, String id) {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        String last = null;
        while (System.nanoTime() < deadline) {
            JsonNode image = client.get("/images/" + id);
            String state = image.path("state").asText();
            String seen = state + (state.equals("pending") ? " " + image.path("progress").asInt() + "%" : "");
            if (!seen.equals(last)) {
                System.err.println(id + ": " + seen);
                last = seen;
            }
            switch (state) {
                case "available" -> {
                    return image;
                }
                case "pending" -> LockSupport.parkNanos(POLL.toNanos());
                default -> throw new CliException("ImportFailed", id + " ended " + state
                        + (image.path("stateReason").isTextual() ? ": " + image.path("stateReason").asText() : ""));
            }
        }
        throw new CliException("Timeout", id + " was still pending after " + LIMIT.toHours() + " hours");
    }
}
