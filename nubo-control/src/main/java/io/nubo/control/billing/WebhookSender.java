package io.nubo.control.billing;

import io.nubo.control.hosts.ChangeSignal;
import io.nubo.store.Database;
import io.nubo.store.WebhookDeliveries.Delivery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Works off the webhook outbox, never on a request path: claims due calls with a lease (so that
 * the calls of a server that died are taken over once their lease runs out), POSTs each body as
 * JSON on a virtual thread of its own (so one webhook that never answers delays no other), and
 * records the outcome: delivered on a 2xx answer, otherwise tried again after a doubling wait, and
 * given up after the last attempt. Redirects are not followed. Delivery is at least once: a server
 * that dies between the answer and the record makes another server call again. Thread-safe.
 */
public final class WebhookSender implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookSender.class);
    private static final int BATCH = 32;

    private final Database db;
    private final Clock clock;
    private final WebhookSettings settings;
    private final String owner = "server-" + UUID.randomUUID();
    private final ChangeSignal work = new ChangeSignal();
    private final HttpClient http;
    private volatile boolean running;
    private Thread loop;

    public WebhookSender(Database db, Clock clock, WebhookSettings settings) {
        this.db = db;
        this.clock = clock;
        this.settings = settings;
        this.http = HttpClient.newBuilder().connectTimeout(settings.timeout()).followRedirects(HttpClient.Redirect.NEVER)
                .executor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()).build();
    }

    public void start() {
        running = true;
        loop = Thread.ofVirtual().name("webhook-sender").start(this::run);
    }

    /** Wakes the sender: a call was queued. */
    public void wake() {
        work.signal();
    }

    private void run() {
        while (running) {
            long seen = work.generation();
            try {
                List<Delivery> claimed = claim();
                claimed.forEach(d -> Thread.ofVirtual().name("webhook-" + d.id()).start(() -> attempt(d)));
                if (claimed.size() == BATCH) {
                    continue;
                }
            } catch (RuntimeException e) {
                LOG.warn("claiming webhook calls failed; retrying: {}", e.toString());
            }
            try {
                work.awaitChange(seen, settings.poll());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Claims the calls that are due and that nobody holds (tests call it to act as a server). */
    List<Delivery> claim() {
        Instant now = clock.instant();
        return db.inTransaction(s -> s.webhookDeliveries().claim(owner, now, now.plus(settings.lease()), BATCH));
    }

    /** One attempt at one claimed call; the outcome is in the database before it returns. */
    void attempt(Delivery d) {
        String error = call(d);
        Instant now = clock.instant();
        try {
            if (error == null) {
                db.inTransaction(s -> s.webhookDeliveries().delivered(d.id(), owner, now));
            } else if (d.attempts() >= settings.maxAttempts() || error.startsWith(REFUSED)) {
                LOG.info("webhook call {} of account {} given up after {} attempts: {}", d.id(), d.accountId(), d.attempts(), error);
                db.inTransaction(s -> s.webhookDeliveries().fail(d.id(), owner, error, now));
            } else {
                db.inTransaction(s -> s.webhookDeliveries().retry(d.id(), owner, error, now.plus(settings.backoff(d.attempts()))));
            }
        } catch (RuntimeException e) {
            // The lease runs out and the call is tried again.
            LOG.warn("recording webhook call {} failed: {}", d.id(), e.toString());
        }
    }

    private static final String REFUSED = "refused: ";

    /** Makes the call; null when the webhook took it (a 2xx answer), otherwise why not (never the URL's path or query). */
    private String call(Delivery d) {
        URI uri;
        try {
            uri = WebhookUrls.check(d.url());
        } catch (RuntimeException e) {
            return REFUSED + e.getMessage();
        }
        if (!settings.allowPrivate()) {
            try {
                for (InetAddress a : InetAddress.getAllByName(uri.getHost())) {
                    if (WebhookUrls.isPrivate(a)) {
                        return REFUSED + "the webhook's host " + uri.getHost() + " is a loopback, private or link-local address";
                    }
                }
            } catch (UnknownHostException e) {
                return "the webhook's host " + uri.getHost() + " does not resolve";
            }
        }
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(settings.timeout())
                .header("Content-Type", "application/json").header("User-Agent", "Nubo-Webhook/1")
                .header("X-Nubo-Delivery", Long.toString(d.id()))
                .POST(HttpRequest.BodyPublishers.ofString(d.body(), StandardCharsets.UTF_8)).build();
        try {
            HttpResponse<Void> r = http.send(request, HttpResponse.BodyHandlers.discarding());
            if (r.statusCode() / 100 == 2) {
                return null;
            }
            return "HTTP " + r.statusCode() + " from " + WebhookUrls.redact(uri);
        } catch (HttpTimeoutException e) {
            return "no answer from " + WebhookUrls.redact(uri) + " within " + settings.timeout().toMillis() + " ms";
        } catch (IOException e) {
            return e.getClass().getSimpleName() + " calling " + WebhookUrls.redact(uri);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    @Override
    public void close() {
        running = false;
        if (loop != null) {
            loop.interrupt();
        }
        http.shutdownNow();
    }
}
