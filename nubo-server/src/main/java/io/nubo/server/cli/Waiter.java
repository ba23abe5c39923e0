package io.nubo.server.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

/**
 * Waits for an instance to reach a state, printing each state it sees to stderr, and fails when
 * the instance settles in another state (a launch that ends terminated, say).
 */
final class Waiter {
    private static final Duration POLL = Duration.ofMillis(250);
    private static final Duration LIMIT = Duration.ofMinutes(10);
    private static final Set<String> SETTLED = Set.of("running", "stopped", "terminated");

    private Waiter() {
    }

    static void await(NuboClient client, String id, String target) {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        String last = null;
        while (System.nanoTime() < deadline) {
            JsonNode i = client.get("/instances/" + id);
            String state = i.path("state").path("name").asText();
            if (!state.equals(last)) {
                System.err.println(id + ": " + state + (i.path("stateReason").isTextual() ? " (" + i.path("stateReason").asText() + ")" : ""));
                last = state;
            }
            if (state.equals(target)) {
                return;
            }
            if (SETTLED.contains(state)) {
                throw new CliException("InstanceFailed", id + " ended " + state + " instead of " + target
                        + (i.path("stateReason").isTextual() ? ": " + i.path("stateReason").asText() : ""));
            }
            LockSupport.parkNanos(POLL.toNanos());
        }
        throw new CliException("Timeout", id + " did not become " + target + " within " + LIMIT.toMinutes() + " minutes");
    }
}
