package io.nubo.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** QmpClient against a scripted server: the paths real QEMU rarely shows on demand. */
class QmpClientTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Executor VIRTUAL = Executors.newVirtualThreadPerTaskExecutor();

    @TempDir
    Path dir;

    private FakeQmpServer server;
    private QmpClient client;

    private QmpClient connect(boolean greet, Duration timeout) throws Exception {
        server = new FakeQmpServer(dir.resolve("qmp.sock"), greet);
        client = QmpClient.connect(dir.resolve("qmp.sock"), timeout);
        return client;
    }

    @AfterEach
    void tearDown() throws Exception {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aCommandGetsTheReturnValueOfItsReply() throws Exception {
        connect(true, WAIT);
        CompletableFuture<JsonNode> result = CompletableFuture.supplyAsync(() -> client.execute("query-status"), VIRTUAL);

        JsonNode request = server.nextRequest();
        assertThat(request.path("execute").asText()).isEqualTo("query-status");
        assertThat(request.path("id").asText()).isNotEmpty();
        assertThat(request.has("arguments")).isFalse();
        server.reply(request, "{\"status\": \"running\", \"running\": true}");

        assertThat(result.get(10, TimeUnit.SECONDS).path("status").asText()).isEqualTo("running");
        assertThat(client.greeting().path("version").path("qemu").path("major").asInt()).isEqualTo(7);
    }

    @Test
    void argumentsAreSentAsAJsonObject() throws Exception {
        connect(true, WAIT);
        CompletableFuture<JsonNode> result = CompletableFuture.supplyAsync(() -> client.execute("device_del", Map.of("id", "disk1")), VIRTUAL);

        JsonNode request = server.nextRequest();
        assertThat(request.path("arguments").path("id").asText()).isEqualTo("disk1");
        server.reply(request, "{}");
        assertThat(result.get(10, TimeUnit.SECONDS).isEmpty()).isTrue();
    }

    @Test
    void messagesSplitAcrossWritesOrSharingOneWriteAreFramedByNewlines() throws Exception {
        connect(true, WAIT);
        List<String> events = new CopyOnWriteArrayList<>();
        client.onEvent(event -> events.add(event.name()));
        CompletableFuture<JsonNode> result = CompletableFuture.supplyAsync(() -> client.execute("query-name"), VIRTUAL);
        JsonNode request = server.nextRequest();

        server.sendRaw("{\"return\": {\"name\": \"i-1\"}, ");
        assertThat(server.noRequestWithin(Duration.ofMillis(100))).isTrue();
        assertThat(result).isNotDone();
        server.sendRaw("\"id\": " + request.get("id") + "}\r\n{\"event\": \"STOP\", \"timestamp\": {\"seconds\": 1, \"microseconds\": 0}}\r\n");

        assertThat(result.get(10, TimeUnit.SECONDS).path("name").asText()).isEqualTo("i-1");
        await().atMost(WAIT).until(() -> events.contains("STOP"));
    }

    @Test
    void anErrorReplyBecomesACommandExceptionWithClassAndDescription() throws Exception {
        connect(true, WAIT);
        CompletableFuture<JsonNode> result = CompletableFuture.supplyAsync(() -> client.execute("device_del", Map.of("id", "nope")), VIRTUAL);

        JsonNode request = server.nextRequest();
        server.send("{\"id\": " + request.get("id") + ", \"error\": {\"class\": \"DeviceNotFound\", \"desc\": \"Device 'nope' not found\"}}");

        assertThatThrownBy(() -> result.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOfSatisfying(QmpCommandException.class, e -> {
                    assertThat(e.command()).isEqualTo("device_del");
                    assertThat(e.errorClass()).isEqualTo("DeviceNotFound");
                    assertThat(e.description()).isEqualTo("Device 'nope' not found");
                });
        assertThat(client.isOpen()).isTrue();
    }

    @Test
    void aCommandWithNoReplyTimesOutAndItsLateReplyDoesNotAnswerTheNextCommand() throws Exception {
        connect(true, WAIT);
        CompletableFuture<JsonNode> slow = CompletableFuture.supplyAsync(() -> client.execute("query-block", Duration.ofMillis(300)), VIRTUAL);
        JsonNode slowRequest = server.nextRequest();

        assertThatThrownBy(() -> slow.get(10, TimeUnit.SECONDS))
                .cause()
                .isInstanceOfSatisfying(QmpTimeoutException.class, e -> {
                    assertThat(e.command()).isEqualTo("query-block");
                    assertThat(e.getMessage()).contains("query-block");
                    assertThat(e.timeout()).isEqualTo(Duration.ofMillis(300));
                });

        CompletableFuture<JsonNode> next = CompletableFuture.supplyAsync(() -> client.execute("query-status"), VIRTUAL);
        JsonNode nextRequest = server.nextRequest();
        server.reply(slowRequest, "\"late answer to query-block\"");
        server.reply(nextRequest, "\"answer to query-status\"");

        assertThat(next.get(10, TimeUnit.SECONDS).asText()).isEqualTo("answer to query-status");
    }

    @Test
    void repliesOutOfOrderAreMatchedToTheirCommandsById() throws Exception {
        connect(true, WAIT);
        CompletableFuture<JsonNode> first = CompletableFuture.supplyAsync(() -> client.execute("query-status"), VIRTUAL);
        JsonNode firstRequest = server.nextRequest();
        CompletableFuture<JsonNode> second = CompletableFuture.supplyAsync(() -> client.execute("query-name"), VIRTUAL);
        JsonNode secondRequest = server.nextRequest();
        assertThat(firstRequest.get("id")).isNotEqualTo(secondRequest.get("id"));

        server.reply(secondRequest, "\"second\"");
        assertThat(second.get(10, TimeUnit.SECONDS).asText()).isEqualTo("second");
        assertThat(first).isNotDone();
        server.reply(firstRequest, "\"first\"");
        assertThat(first.get(10, TimeUnit.SECONDS).asText()).isEqualTo("first");
    }

    @Test
    void closingTheSocketMidCommandFailsThePendingCommandAtOnceAndFiresTheCloseListener() throws Exception {
        connect(true, Duration.ofMinutes(5));
        List<QmpDisconnect> disconnects = new CopyOnWriteArrayList<>();
        client.onClose(disconnects::add);
        CompletableFuture<JsonNode> pending = CompletableFuture.supplyAsync(() -> client.execute("query-status"), VIRTUAL);
        server.nextRequest();

        server.closeConnection();

        // The command's own timeout is five minutes; it fails long before.
        assertThatThrownBy(() -> pending.get(10, TimeUnit.SECONDS))
                .cause()
                .isInstanceOfSatisfying(QmpClosedException.class, e -> assertThat(e.command()).isEqualTo("query-status"));
        await().atMost(WAIT).until(() -> disconnects.size() == 1);
        assertThat(disconnects.getFirst().byClient()).isFalse();
        assertThat(client.isOpen()).isFalse();
        assertThatThrownBy(() -> client.execute("query-status"))
                .isInstanceOf(QmpClosedException.class);
    }

    @Test
    void eventsReachTheListenersRegisteredForThem() throws Exception {
        connect(true, WAIT);
        List<QmpEvent> shutdowns = new CopyOnWriteArrayList<>();
        List<String> all = new CopyOnWriteArrayList<>();
        client.onEvent("SHUTDOWN", shutdowns::add);
        QmpClient.Subscription everything = client.onEvent(event -> all.add(event.name()));

        server.event("STOP", null);
        server.event("SHUTDOWN", "{\"guest\": true, \"reason\": \"guest-shutdown\"}");
        await().atMost(WAIT).until(() -> all.size() == 2);

        assertThat(all).containsExactly("STOP", "SHUTDOWN");
        assertThat(shutdowns).singleElement().satisfies(event -> {
            assertThat(event.data().path("reason").asText()).isEqualTo("guest-shutdown");
            assertThat(event.timestamp().getEpochSecond()).isEqualTo(1700000000L);
            assertThat(event.timestamp().getNano()).isEqualTo(250_000_000);
        });

        everything.close();
        server.event("RESUME", null);
        server.event("SHUTDOWN", "{}");
        await().atMost(WAIT).until(() -> shutdowns.size() == 2);
        assertThat(all).containsExactly("STOP", "SHUTDOWN");
    }

    @Test
    void aListenerMayRunACommandWithoutBlockingTheReader() throws Exception {
        connect(true, WAIT);
        CompletableFuture<JsonNode> fromListener = new CompletableFuture<>();
        client.onEvent("RESET", event -> fromListener.complete(client.execute("query-status")));

        server.event("RESET", null);
        JsonNode request = server.nextRequest();
        server.reply(request, "{\"status\": \"running\"}");

        assertThat(fromListener.get(10, TimeUnit.SECONDS).path("status").asText()).isEqualTo("running");
    }

    @Test
    void nextEventCompletesWithTheFirstMatchingEventAndFailsWhenTheConnectionCloses() throws Exception {
        connect(true, WAIT);
        CompletableFuture<QmpEvent> deleted = client.nextEvent(
                event -> event.name().equals("DEVICE_DELETED") && event.data().path("device").asText().equals("disk1"));
        CompletableFuture<QmpEvent> never = client.nextEvent("SHUTDOWN");

        server.event("DEVICE_DELETED", "{\"device\": \"disk0\", \"path\": \"/machine/peripheral/disk0\"}");
        server.event("DEVICE_DELETED", "{\"device\": \"disk1\", \"path\": \"/machine/peripheral/disk1\"}");

        assertThat(deleted.get(10, TimeUnit.SECONDS).data().path("device").asText()).isEqualTo("disk1");
        server.closeConnection();
        assertThatThrownBy(() -> never.get(10, TimeUnit.SECONDS)).cause().isInstanceOf(QmpClosedException.class);
    }

    @Test
    void closingTheClientFailsPendingCommandsAndTellsCloseListenersItWasTheClient() throws Exception {
        connect(true, Duration.ofMinutes(5));
        List<QmpDisconnect> disconnects = new CopyOnWriteArrayList<>();
        client.onClose(disconnects::add);
        CompletableFuture<JsonNode> pending = CompletableFuture.supplyAsync(() -> client.execute("query-status"), VIRTUAL);
        server.nextRequest();

        client.close();

        assertThatThrownBy(() -> pending.get(10, TimeUnit.SECONDS)).cause().isInstanceOf(QmpClosedException.class);
        await().atMost(WAIT).until(() -> disconnects.size() == 1);
        assertThat(disconnects.getFirst().byClient()).isTrue();
    }

    @Test
    void aCloseListenerAddedAfterTheCloseFiresAtOnce() throws Exception {
        connect(true, WAIT);
        server.closeConnection();
        await().atMost(WAIT).until(() -> !client.isOpen());

        CompletableFuture<QmpDisconnect> late = new CompletableFuture<>();
        client.onClose(late::complete);

        assertThat(late.get(10, TimeUnit.SECONDS).byClient()).isFalse();
    }

    @Test
    void aSocketThatNeverGreetsTimesOutAsABusySocket() throws Exception {
        assertThatThrownBy(() -> connect(false, Duration.ofMillis(300)))
                .isInstanceOfSatisfying(QmpTimeoutException.class, e -> {
                    assertThat(e.command()).isEqualTo("greeting");
                    assertThat(e.getMessage()).contains("another client");
                });
    }

    @Test
    void connectingToASocketNobodyListensOnFailsAsClosed() {
        assertThatThrownBy(() -> QmpClient.connect(dir.resolve("missing.sock"), WAIT))
                .isInstanceOfSatisfying(QmpClosedException.class, e -> assertThat(e.command()).isEqualTo("connect"));
    }

    @Test
    void argumentsThatAreNotAnObjectAreRefusedBeforeSending() throws Exception {
        connect(true, WAIT);
        assertThatThrownBy(() -> client.execute("human-monitor-command", List.of("info", "status")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(server.noRequestWithin(Duration.ofMillis(100))).isTrue();
    }
}
