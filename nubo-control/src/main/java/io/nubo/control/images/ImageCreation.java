package io.nubo.control.images;

import io.nubo.control.compute.InstanceChanges;
import io.nubo.control.compute.InstanceLog;
import io.nubo.control.query.IdCheck;
import io.nubo.control.query.NotFound;
import io.nubo.control.quota.QuotaService;
import io.nubo.control.tags.Tagging;
import io.nubo.core.ErrorCode;
import io.nubo.core.Ids;
import io.nubo.core.NuboException;
import io.nubo.core.model.Image;
import io.nubo.core.model.Instance;
import io.nubo.core.model.InstanceState;
import io.nubo.core.model.InstanceTask;
import io.nubo.core.model.Principal;
import io.nubo.core.model.ResourceType;
import io.nubo.core.model.Tag;
import io.nubo.store.ClientTokens;
import io.nubo.store.Database;
import io.nubo.store.ImageCaptures;
import io.nubo.store.Store;

import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * New images made from what a caller already has: CreateImage from an instance's root disk, and
 * CopyImage of an image the caller may launch. Both check everything before they write, then
 * record the new image {@code pending} in one transaction and return it; the work happens later.
 * <ul>
 *   <li>CreateImage: the instance's host flattens its root disk into a standalone qcow2 (a block
 *       job while the VM runs, {@code qemu-img convert} while it is down), and the
 *       {@link ImageCaptureController} hands the file to the import queue, which inspects it and
 *       makes the image available. Without {@code NoReboot}, a running instance is first shut
 *       down cleanly and started again afterwards, as EC2 does.</li>
 *   <li>CopyImage: an import of the source image's file (a sparse copy onto the image pool).</li>
 * </ul>
 * Thread-safe.
 */
public final class ImageCreation {
    private static final String COPY_ACTION = "CopyImage";

    private final Database db;
    private final Clock clock;
    private final ImageFiles files;
    private final Consumer<Collection<String>> hostsChanged;
    private final Runnable importerWork;
    private final Runnable captureWork;

    public ImageCreation(Database db, Clock clock, ImageSettings settings, Consumer<Collection<String>> hostsChanged, Runnable importerWork,
                         Runnable captureWork) {
        this.db = db;
        this.clock = clock;
        this.files = new ImageFiles(settings.sharedPool());
        this.hostsChanged = hostsChanged;
        this.importerWork = importerWork;
        this.captureWork = captureWork;
    }

    /** What CreateImage asks for. */
    public record CreateRequest(String instanceId, String name, Optional<String> description, boolean noReboot, List<Tag> tags) {
    }

    /**
     * CreateImage: a new private image of the caller's from the root disk of one of its instances,
     * running or stopped. Returns the image, {@code pending}.
     */
    public Image createImage(Principal caller, CreateRequest r) {
        if (r.instanceId() == null || r.instanceId().isEmpty()) {
            throw NuboException.of(ErrorCode.MISSING_PARAMETER, "The request must contain the parameter InstanceId");
        }
        if (!Ids.isWellFormed(Ids.INSTANCE, r.instanceId())) {
            throw NuboException.of(ErrorCode.INVALID_INSTANCE_ID_MALFORMED, "Invalid id: \"%s\"", r.instanceId());
        }
        ImageService.validate(r.name(), r.description(), Optional.empty());
        Tagging.validate(r.tags());
        Set<String> hosts = new java.util.HashSet<>();
        Image created = db.inTransaction(s -> {
            Instant now = clock.instant();
            Instance i = s.instances().lock(r.instanceId()).filter(x -> x.accountId().equals(caller.accountId()))
                    .orElseThrow(() -> NotFound.instances(List.of(r.instanceId())));
            requireImageable(s, i);
            QuotaService.requireImageRoom(s, caller.accountId(), true);
            ImageService.checkNameFree(s, caller, r.name());
            Image image = ImageService.pending(caller, r.name(), r.description(), now);
            boolean stopFirst = i.state() == InstanceState.RUNNING && !r.noReboot();
            s.images().insert(image);
            Tagging.apply(s, caller.accountId(), image.id(), ResourceType.IMAGE, r.tags());
            s.imageCaptures().insert(new ImageCaptures.Capture(image.id(), caller.accountId(), i.id(),
                    stopFirst ? ImageCaptures.STOPPING : ImageCaptures.COPYING, stopFirst, 0, null,
                    files.upload(image.id()).toString(), files.workDir(image.id()).resolve("root.qcow2.part").toString(), now));
            s.events().append(now, caller.accountId(), image.id(), "image.state", null, Image.PENDING,
                    "CreateImage from " + i.id() + " (" + i.state().apiName() + (stopFirst ? ", stopped for it and started again"
                            : r.noReboot() && i.state() == InstanceState.RUNNING ? ", no reboot" : "") + ") by " + caller.accessKeyId());
            if (stopFirst) {
                InstanceLog.record(s, i, InstanceChanges.stopping(i, false, now), true, null,
                        "stopped for CreateImage " + image.id() + " by " + caller.accessKeyId());
            } else {
                s.instances().touchDesired(i.id());
            }
            hosts.add(i.hostId());
            return image;
        });
        hostsChanged.accept(hosts);
        captureWork.run();
        return created;
    }

    /** An instance whose root disk can be imaged now: running or stopped, on a host, not moving, not being imaged already. */
    private static void requireImageable(Store s, Instance i) {
        if (i.state() == InstanceState.TERMINATED || i.state() == InstanceState.SHUTTING_DOWN) {
            throw NuboException.of(ErrorCode.INCORRECT_STATE, "The instance '%s' is %s: its disk is gone.", i.id(), i.state().apiName());
        }
        if (i.state() != InstanceState.RUNNING && i.state() != InstanceState.STOPPED || i.hostId() == null) {
            throw NuboException.of(ErrorCode.INCORRECT_STATE,
                    "The instance '%s' is %s: an image can be made of a running or stopped instance only.", i.id(), i.state().apiName());
        }
        if (i.task() == InstanceTask.MIGRATING) {
            throw NuboException.of(ErrorCode.INCORRECT_INSTANCE_STATE,
                    "The instance '%s' is being live-migrated; try again once the migration has ended.", i.id());
        }
        if (s.imageCaptures().activeFor(i.id())) {
            throw NuboException.of(ErrorCode.INCORRECT_STATE,
                    "An image of the instance '%s' is being made already; try again once it is available.", i.id());
        }
    }

    /** What CopyImage asks for. */
    public record CopyRequest(String sourceImageId, String name, Optional<String> description, Optional<String> clientToken) {
        String fingerprint() {
            return sourceImageId + "\n" + name + "\n" + description.orElse("");
        }
    }

    /**
     * CopyImage: a new private image of the caller's with a copy of the file of an image the caller
     * may launch (its own, a public one, or one shared with it). Returns the image, {@code pending}.
     * The same {@code ClientToken} with the same request returns the first copy.
     */
    public Image copyImage(Principal caller, CopyRequest r) {
        if (r.sourceImageId() == null || r.sourceImageId().isEmpty()) {
            throw NuboException.of(ErrorCode.MISSING_PARAMETER, "The request must contain the parameter SourceImageId");
        }
        IdCheck.images(List.of(r.sourceImageId()));
        ImageService.validate(r.name(), r.description(), Optional.empty());
        r.clientToken().filter(t -> t.isEmpty() || t.length() > 64 || !t.chars().allMatch(c -> c >= 0x20 && c < 0x7f)).ifPresent(t -> {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "The client token must be 1 to 64 ASCII characters");
        });
        Image copy = db.inTransaction(s -> {
            if (r.clientToken().isPresent()) {
                String token = r.clientToken().get();
                s.clientTokens().lock(caller.accountId(), COPY_ACTION, token);
                Optional<ClientTokens.Entry> earlier = s.clientTokens().find(caller.accountId(), COPY_ACTION, token);
                if (earlier.isPresent()) {
                    if (!earlier.get().requestHash().equals(r.fingerprint())) {
                        throw NuboException.of(ErrorCode.IDEMPOTENT_PARAMETER_MISMATCH,
                                "The client token '%s' was already used for a different request", token);
                    }
                    return s.images().find(earlier.get().resultId()).orElseThrow();
                }
            }
            Image source = s.images().findVisible(r.sourceImageId(), caller.accountId())
                    .orElseThrow(() -> NotFound.image(r.sourceImageId()));
            if (!Image.AVAILABLE.equals(source.state())) {
                throw NuboException.of(ErrorCode.INCORRECT_STATE, "The image '%s' is %s: only an available image can be copied.",
                        source.id(), source.state());
            }
            QuotaService.requireImageRoom(s, caller.accountId(), true);
            ImageService.checkNameFree(s, caller, r.name());
            Instant now = clock.instant();
            Image image = ImageService.pending(caller, r.name(), r.description(), now);
            s.images().insert(image);
            // The source's file is read by the importer like an operator's file on the server: copied sparse onto the image
            // pool, inspected again, kept in its format.
            s.imageImports().insert(image.id(), "path", source.location(), Optional.empty(), now);
            s.events().append(now, caller.accountId(), image.id(), "image.state", null, Image.PENDING,
                    "CopyImage of " + source.id() + " by " + caller.accessKeyId());
            r.clientToken().ifPresent(t -> s.clientTokens().insert(caller.accountId(), COPY_ACTION, t,
                    new ClientTokens.Entry(r.fingerprint(), image.id()), now));
            return image;
        });
        importerWork.run();
        return copy;
    }
}
