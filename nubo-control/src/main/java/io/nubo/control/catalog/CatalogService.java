package io.nubo.control.catalog;

import io.nubo.control.identity.IdentityService;
import io.nubo.core.ErrorCode;
import io.nubo.core.Ids;
import io.nubo.core.NuboException;
import io.nubo.core.model.Image;
import io.nubo.core.model.InstanceType;
import io.nubo.core.model.Principal;
import io.nubo.store.Database;

import java.time.Clock;
import java.util.List;
import java.util.regex.Pattern;

/** Instance types and images. Thread-safe. */
public final class CatalogService {
    public static final String DEFAULT_IMAGE_NAME = "nubo-default";
    private static final Pattern TYPE_NAME = Pattern.compile("[a-z][a-z0-9-]*\\.[a-z0-9]+");

    private final Database db;
    private final Clock clock;

    public CatalogService(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    public List<InstanceType> listTypes() {
        return db.read(s -> s.instanceTypes().list());
    }

    public InstanceType getType(String name) {
        return db.read(s -> s.instanceTypes().find(name)).orElseThrow(() -> unknownType(name));
    }

    /** Adds an instance type or changes one (admin only). */
    public InstanceType putType(Principal caller, InstanceType t) {
        IdentityService.requireAdmin(caller);
        if (t.name() == null || !TYPE_NAME.matcher(t.name()).matches()) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Invalid instance type name '%s'", t.name());
        }
        if (t.vcpus() < 1 || t.vcpus() > 512 || t.memoryMib() < 64 || t.memoryMib() > 16 * 1024 * 1024 || t.priceMicrosPerHour() < 0) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE,
                    "Invalid instance type: vCPUs must be 1 to 512, memory 64 MiB to 16 TiB, and the price not negative");
        }
        db.inTransaction(s -> {
            s.instanceTypes().upsert(t);
            s.events().append(clock.instant(), caller.accountId(), t.name(), "instance-type.updated", null, null, "by " + caller.accountId());
            return null;
        });
        return t;
    }

    public List<Image> listImages(Principal caller) {
        return db.read(s -> s.images().listVisible(caller.accountId()));
    }

    public Image getImage(Principal caller, String id) {
        if (!Ids.isWellFormed(Ids.IMAGE, id)) {
            throw NuboException.of(ErrorCode.INVALID_AMI_ID_MALFORMED, "Invalid id: \"%s\" (expecting \"ami-...\")", id);
        }
        return db.read(s -> s.images().findVisible(id, caller.accountId()))
                .orElseThrow(() -> NuboException.of(ErrorCode.INVALID_AMI_ID_NOT_FOUND, "The image id '[%s]' does not exist", id));
    }

    /**
     * Makes sure the public default image exists and points at {@code location}; returns it.
     * Called at start-up, so it is idempotent.
     */
    public Image ensureDefaultImage(String format, String location, String state) {
        return db.inTransaction(s -> {
            s.handle().execute("SELECT pg_advisory_xact_lock(4243)");
            var existing = s.images().findPublicByName(DEFAULT_IMAGE_NAME);
            if (existing.isPresent()) {
                Image i = existing.get();
                if (!i.location().equals(location) || !i.format().equals(format) || !i.state().equals(state)) {
                    s.images().updateFile(i.id(), format, location, state);
                }
                return s.images().find(i.id()).orElseThrow();
            }
            Image i = new Image(Ids.next(Ids.IMAGE), DEFAULT_IMAGE_NAME, "Nubo's small default Linux guest", null, true,
                    state, format, location, "x86_64", clock.instant());
            s.images().insert(i);
            s.events().append(clock.instant(), null, i.id(), "image.registered", null, state, "bootstrap");
            return i;
        });
    }

    private static NuboException unknownType(String name) {
        return NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Invalid value '%s' for InstanceType", name);
    }
}
