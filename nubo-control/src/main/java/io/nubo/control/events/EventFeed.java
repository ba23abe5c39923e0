package io.nubo.control.events;

import io.nubo.core.model.Event;
import io.nubo.core.model.Principal;
import io.nubo.store.Database;
import org.jdbi.v3.core.Handle;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Pushes new events of the event log to live subscribers (the portal's server-sent events).
 *
 * <p>One thread per server LISTENs on {@code nubo_events} (a trigger NOTIFYs each appended event,
 * V5) and, when woken or every {@link #FALLBACK_POLL} at the latest, reads the events after the
 * last one it delivered and hands each to the subscribers allowed to see it: its own account's,
 * or every account's for operators. A subscriber that resumes from an event ID gets the missed
 * events first, in order, with none twice. Thread-safe.
 */
public final class EventFeed implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventFeed.class);
    static final Duration FALLBACK_POLL = Duration.ofSeconds(2);
    private static final int BATCH = 500;

    private final Database db;
    private final List<Subscription> subscribers = new CopyOnWriteArrayList<>();
    private volatile long delivered;
    private volatile boolean running;
    private Thread thread;

    public EventFeed(Database db) {
        this.db = db;
    }

    /** A live subscription; close it to stop. */
    public final class Subscription implements AutoCloseable {
        private final Principal viewer;
        private final Consumer<Event> sink;
        private final ReentrantLock lock = new ReentrantLock();
        private long lastSent;

        private Subscription(Principal viewer, Consumer<Event> sink, long lastSent) {
            this.viewer = viewer;
            this.sink = sink;
            this.lastSent = lastSent;
        }

        private void offer(Event e) {
            if (!viewer.isAdmin() && !viewer.accountId().equals(e.accountId())) {
                return;
            }
            lock.lock();
            try {
                if (e.id() > lastSent) {
                    lastSent = e.id();
                    sink.accept(e);
                }
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void close() {
            subscribers.remove(this);
        }
    }

    /**
     * Subscribes {@code viewer} to events after {@code afterId} ({@code -1}: only new ones).
     * {@code sink} is called in event order from one thread at a time and must not block long.
     */
    public Subscription subscribe(Principal viewer, long afterId, Consumer<Event> sink) {
        long start = afterId < 0 ? latestId() : afterId;
        Subscription sub = new Subscription(viewer, sink, start);
        subscribers.add(sub);
        if (afterId >= 0) {
            String account = viewer.isAdmin() ? null : viewer.accountId();
            long after = afterId;
            while (true) {
                long from = after;
                List<Event> missed = db.read(s -> s.events().list(account, null, from, BATCH));
                missed.forEach(sub::offer);
                if (missed.size() < BATCH) {
                    break;
                }
                after = missed.get(missed.size() - 1).id();
            }
        }
        return sub;
    }

    public long latestId() {
        return db.read(s -> s.handle().createQuery("SELECT coalesce(max(id), 0) FROM events").mapTo(Long.class).one());
    }

    public void start() {
        delivered = latestId();
        running = true;
        thread = Thread.ofPlatform().daemon().name("event-feed").start(this::loop);
    }

    private void loop() {
        while (running) {
            try (Handle h = db.jdbi().open()) {
                Connection c = h.getConnection();
                try (Statement st = c.createStatement()) {
                    st.execute("LISTEN nubo_events");
                }
                PGConnection pg = c.unwrap(PGConnection.class);
                while (running) {
                    deliver();
                    pg.getNotifications((int) FALLBACK_POLL.toMillis());
                }
            } catch (SQLException | RuntimeException e) {
                if (running) {
                    LOG.warn("event feed: {}; reconnecting", e.toString());
                    try {
                        Thread.sleep(500);
                    } catch (InterruptedException ie) {
                        return;
                    }
                }
            }
        }
    }

    private void deliver() {
        if (subscribers.isEmpty()) {
            // Nobody listens: move the cursor instead of reading. The latest ID is read before the
            // check, so a subscriber that arrives after the check starts at or after it.
            long latest = latestId();
            if (subscribers.isEmpty()) {
                delivered = Math.max(delivered, latest);
                return;
            }
        }
        while (true) {
            long after = delivered;
            List<Event> batch = db.read(s -> s.events().list(null, null, after, BATCH));
            for (Event e : batch) {
                for (Subscription sub : subscribers) {
                    try {
                        sub.offer(e);
                    } catch (RuntimeException ex) {
                        sub.close();
                    }
                }
                delivered = e.id();
            }
            if (batch.size() < BATCH) {
                return;
            }
        }
    }

    @Override
    public void close() {
        running = false;
        if (thread != null) {
            thread.interrupt();
        }
    }
}
