package io.nubo.control.console;

import io.nubo.control.compute.ComputeService;
import io.nubo.control.users.Tokens;
import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;
import io.nubo.core.model.Instance;
import io.nubo.core.model.InstanceState;
import io.nubo.core.model.Principal;
import io.nubo.core.model.Role;
import io.nubo.store.Database;
import io.nubo.store.portal.ConsoleTickets;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * One-time tickets for a VM's graphical console. A ticket is issued to a caller who can see a
 * running instance, names that one instance, works once, and expires after {@link #TTL}. Only
 * its SHA-256 is stored. Thread-safe.
 */
public final class ConsoleTicketService {
    public static final Duration TTL = Duration.ofSeconds(60);

    private final Database db;
    private final Clock clock;
    private final ComputeService compute;
    private volatile VncAccess vnc = VncAccess.NONE;

    public ConsoleTicketService(Database db, Clock clock, ComputeService compute) {
        this.db = db;
        this.clock = clock;
        this.compute = compute;
    }

    /** Sets how VNC servers are reached; the server wires this once its agents are known. */
    public void useVncAccess(VncAccess access) {
        this.vnc = access;
    }

    public record Ticket(String instanceId, String ticket, Instant expiresAt) {
        @Override
        public String toString() {
            return "Ticket[" + instanceId + ", expires " + expiresAt + "]";
        }
    }

    /** Issues a ticket for a running instance of the caller's account; another account's instance is not found. */
    public Ticket issue(Principal caller, String instanceId) {
        Instance i = compute.get(caller, instanceId);
        if (i.state() != InstanceState.RUNNING) {
            throw NuboException.of(ErrorCode.INCORRECT_INSTANCE_STATE,
                    "The instance '%s' is not in a state from which its console can be opened (it is %s)", i.id(), i.state().apiName());
        }
        String ticket = Tokens.next();
        Instant expires = clock.instant().plus(TTL);
        db.inTransaction(s -> {
            ConsoleTickets tickets = new ConsoleTickets(s.handle());
            tickets.deleteExpired(clock.instant());
            tickets.insert(Tokens.sha256(ticket), i.accountId(), i.id(), expires);
            return null;
        });
        return new Ticket(i.id(), ticket, expires);
    }

    /**
     * Consumes {@code ticket} and returns the way to the VNC server of {@code instanceId}, if the ticket was
     * issued for that instance, has not expired or been used, and the instance still belongs to
     * the ticket's account, runs, and is reachable from here.
     */
    public Optional<VncConnector> redeem(String ticket, String instanceId) {
        if (ticket == null || ticket.isEmpty() || ticket.length() > 100 || instanceId == null) {
            return Optional.empty();
        }
        Optional<String> account = db.inTransaction(s -> new ConsoleTickets(s.handle()).redeem(Tokens.sha256(ticket), instanceId, clock.instant()));
        return account.flatMap(a -> {
            Instance i;
            try {
                i = compute.get(new Principal(a, Role.MEMBER, "console-ticket"), instanceId);
            } catch (NuboException e) {
                return Optional.empty();
            }
            if (i.state() != InstanceState.RUNNING || i.hostId() == null) {
                return Optional.empty();
            }
            return vnc.connector(i.hostId(), i.id());
        });
    }
}
