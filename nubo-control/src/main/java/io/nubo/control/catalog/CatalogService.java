package io.nubo.control.catalog;

import io.nubo.control.billing.BillingService;
import io.nubo.control.identity.IdentityService;
import io.nubo.control.query.IdCheck;
import io.nubo.control.query.NotFound;
import io.nubo.control.query.Paging;
import io.nubo.core.ErrorCode;
import io.nubo.core.Ids;
import io.nubo.core.NuboException;
import io.nubo.core.Text;
import io.nubo.core.model.Image;
import io.nubo.core.filter.Filter;
import io.nubo.core.model.InstanceType;
import io.nubo.core.model.Page;
import io.nubo.core.model.PageRequest;
import io.nubo.core.model.Principal;
import io.nubo.core.model.Tag;
import io.nubo.store.Database;

import java.time.Clock;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Instance types and images. Thread-safe. */
public final class CatalogService {
    public static final String DEFAULT_IMAGE_NAME = "nubo-default";
    /** The accelerators a type may require: what hosts report for how they run guests. */
    private static final java.util.Set<String> ACCELERATORS = java.util.Set.of("kvm", "tcg");
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
        if (t.requiresAccelerator() != null && !ACCELERATORS.contains(t.requiresAccelerator())) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE,
                    "Invalid requiresAccelerator '%s': it is kvm or tcg, or absent for a type any host may run",
                    Text.printable(t.requiresAccelerator()) ? t.requiresAccelerator() : "?");
        }
        db.inTransaction(s -> {
            s.instanceTypes().upsert(t);
            BillingService.followCatalogue(s, t.name(), t.priceMicrosPerHour(), clock.instant());
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

    /** EC2's DescribeImages: the images the caller may see that match the query, by ID. */
    public Page<ImageDetails> describeImages(Principal caller, ImageQuery q) {
        IdCheck.images(q.ids());
        q.owners().forEach(CatalogService::checkOwner);
        q.executableBy().forEach(CatalogService::checkOwner);
        var matching = CatalogFilters.IMAGES.compile(q.filters());
        Paging.checkBounds(q.page(), 1, 1000);
        Map<String, Set<String>> sharedWith = new HashMap<>();
        List<ImageDetails> all = db.read(s -> {
            List<Image> visible = s.images().listVisible(caller.accountId());
            List<String> missing = q.ids().stream().filter(id -> visible.stream().noneMatch(i -> i.id().equals(id))).toList();
            if (!missing.isEmpty()) {
                throw NotFound.images(missing);
            }
            List<String> ids = visible.stream().map(Image::id).toList();
            for (String who : q.executableBy()) {
                String account = who.equals("self") ? caller.accountId() : who;
                sharedWith.put(who, Set.copyOf(s.launchPermissions().sharedWith(account, ids)));
            }
            Map<String, List<Tag>> tags = s.tags().forResources(caller.accountId(), ids);
            return visible.stream().map(i -> new ImageDetails(i, tags.getOrDefault(i.id(), List.of()))).toList();
        });
        List<ImageDetails> chosen = all.stream()
                .filter(d -> q.ids().isEmpty() || q.ids().contains(d.image().id()))
                .filter(d -> q.owners().isEmpty() || q.owners().stream().anyMatch(o -> ownedBy(d, o, caller)))
                .filter(d -> q.executableBy().isEmpty() || q.executableBy().stream()
                        .anyMatch(e -> executableBy(d, e, caller, sharedWith.getOrDefault(e, Set.of()))))
                .filter(matching)
                .sorted(Comparator.comparing(d -> d.image().id())).toList();
        return Paging.page(chosen, d -> d.image().id(), q.page(), 1, 1000);
    }

    /** EC2's DescribeInstanceTypes: the catalogue, by name and filters, in name order. */
    public Page<InstanceType> describeTypes(List<String> names, List<Filter> filters, PageRequest page) {
        var matching = CatalogFilters.TYPES.compile(filters);
        Paging.checkBounds(page, 5, 100);
        List<InstanceType> all = listTypes();
        List<String> unknown = names.stream().filter(n -> all.stream().noneMatch(t -> t.name().equals(n))).toList();
        if (!unknown.isEmpty()) {
            throw NuboException.of(ErrorCode.INVALID_INSTANCE_TYPE, "The following supplied instance types do not exist: [%s]",
                    String.join(", ", unknown));
        }
        List<InstanceType> chosen = all.stream().filter(t -> names.isEmpty() || names.contains(t.name())).filter(matching)
                .sorted(Comparator.comparing(InstanceType::name)).toList();
        return Paging.page(chosen, InstanceType::name, page, 5, 100);
    }

    private static boolean ownedBy(ImageDetails d, String owner, Principal caller) {
        return switch (owner) {
            case "self" -> caller.accountId().equals(d.image().ownerId());
            case ImageDetails.SYSTEM_OWNER_ALIAS -> d.isSystemImage();
            default -> owner.equals(d.image().ownerId());
        };
    }

    /**
     * EC2's ExecutableBy: {@code all} is the public images; {@code self} (or the caller's own
     * account ID) every image the caller may launch (its own, shared with it, public); another
     * account ID the images that account may launch among those the caller sees (public, or
     * shared with it).
     */
    private static boolean executableBy(ImageDetails d, String who, Principal caller, Set<String> sharedWithWho) {
        if (who.equals("all")) {
            return d.image().isPublic();
        }
        if (who.equals("self") || who.equals(caller.accountId())) {
            return true;
        }
        return d.image().isPublic() || who.equals(d.image().ownerId()) || sharedWithWho.contains(d.image().id());
    }

    private static void checkOwner(String owner) {
        if (!owner.equals("self") && !owner.equals("all") && !owner.equals(ImageDetails.SYSTEM_OWNER_ALIAS) && !Ids.isAccountId(owner)
                && !owner.equals("amazon") && !owner.equals("aws-marketplace")) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE,
                    "Invalid owner '%s': use self, %s, or a 12-digit account ID", owner, ImageDetails.SYSTEM_OWNER_ALIAS);
        }
    }

    /**
     * Makes sure the public default image exists and points at {@code location}; returns it.
     * Called at start-up, so it is idempotent.
     */
    public Image ensureDefaultImage(String format, String location, String state) {
        return ensureDefaultImage(format, location, state, 0);
    }

    /** The default image, with the disk size its guests see ({@code virtualSizeBytes}, 0 when unknown): a root disk is never smaller. */
    public Image ensureDefaultImage(String format, String location, String state, long virtualSizeBytes) {
        Image image = ensureDefaultImageFile(format, location, state);
        if (virtualSizeBytes <= 0 || image.virtualSizeBytes() == virtualSizeBytes) {
            return image;
        }
        return db.inTransaction(s -> {
            s.images().setVirtualSize(image.id(), virtualSizeBytes);
            return s.images().find(image.id()).orElseThrow();
        });
    }

    private Image ensureDefaultImageFile(String format, String location, String state) {
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
