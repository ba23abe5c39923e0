package io.nubo.control.images;

import io.nubo.control.query.IdCheck;
import io.nubo.control.query.NotFound;
import io.nubo.control.quota.QuotaService;
import io.nubo.control.storage.StoragePoolService;
import io.nubo.control.tags.Tagging;
import io.nubo.core.ErrorCode;
import io.nubo.core.Ids;
import io.nubo.core.NuboException;
import io.nubo.core.Text;
import io.nubo.core.model.Image;
import io.nubo.core.model.Principal;
import io.nubo.core.model.ResourceType;
import io.nubo.core.model.StoragePool;
import io.nubo.store.Database;
import io.nubo.store.Store;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Imported images: starting an import (from a URL, a file on the server, or an upload), sharing
 * an image with other accounts or with everyone, its attributes, and deregistering it. Every
 * request is checked completely before anything is written; a refused upload leaves neither a
 * file nor a row. The work of an import happens later, in the {@link ImageImporter}.
 * Thread-safe.
 */
public final class ImageService {
    /** EC2's rule for AMI names. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9()\\[\\] ./\\-'@_]{3,128}");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");
    private static final Set<String> TARGET_FORMATS = Set.of("qcow2", "raw");
    private static final int MAX_DESCRIPTION = 255;
    private static final int MAX_SHARES = 1000;

    private final Database db;
    private final Clock clock;
    private final ImageSettings settings;
    private final StoragePoolService pools;
    private final DiskImageInspector inspector;
    private final ImageImporter importer;
    private final ImageFiles files;

    public ImageService(Database db, Clock clock, ImageSettings settings, StoragePoolService pools, DiskImageInspector inspector,
                        ImageImporter importer) {
        this.db = db;
        this.clock = clock;
        this.settings = settings;
        this.pools = pools;
        this.inspector = inspector;
        this.importer = importer;
        this.files = new ImageFiles(settings.sharedPool());
    }

    /** Starts importing an image from a URL or a file on the server; returns it, {@code pending}. */
    public Image importImage(Principal caller, ImportRequest r) {
        validate(r.name(), r.description(), r.format());
        Tagging.validate(r.tags());
        if (r.url().isPresent() == r.path().isPresent()) {
            throw r.url().isPresent()
                    ? NuboException.of(ErrorCode.INVALID_PARAMETER_COMBINATION, "Give a URL or a path on the server, not both")
                    : NuboException.of(ErrorCode.MISSING_PARAMETER, "The request must name where the image is: a URL, or a path on the server");
        }
        String kind;
        String source;
        if (r.url().isPresent()) {
            UrlSource.check(r.url().get(), settings.allowPrivateUrls() || caller.isAdmin());
            kind = "url";
            source = r.url().get();
        } else {
            kind = "path";
            source = checkServerFile(caller, r.path().get()).toString();
        }
        StoragePool pool = pools.imagePool();
        if (kind.equals("path") && size(Path.of(source)) > pool.freeBytes()) {
            throw noRoom(size(Path.of(source)), pool);
        }
        Instant now = clock.instant();
        Image image = db.inTransaction(s -> {
            QuotaService.requireImageRoom(s, caller.accountId(), true);
            checkNameFree(s, caller, r.name());
            Image i = pending(caller, r.name(), r.description(), now);
            s.images().insert(i);
            s.imageImports().insert(i.id(), kind, source, r.format(), now);
            Tagging.apply(s, caller.accountId(), i.id(), ResourceType.IMAGE, r.tags());
            s.events().append(now, caller.accountId(), i.id(), "image.state", null, Image.PENDING,
                    "import from " + (kind.equals("url") ? UrlSource.redact(source) : "a file on the server") + " by "
                            + caller.accessKeyId());
            return i;
        });
        importer.wake();
        return image;
    }

    /**
     * Receives an image in a request body, streaming it to the pool (never all in memory) while
     * computing its SHA-256; the file is checked against the digest and inspected before the
     * image is created. Returns the image, {@code pending} until it is converted (if asked) and
     * in place.
     */
    public Image upload(Principal caller, UploadRequest r, InputStream body) {
        validate(r.name(), r.description(), r.format());
        if (r.sha256() == null || !SHA256.matcher(r.sha256()).matches()) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "sha256 must be the upload's SHA-256, as 64 hex digits");
        }
        if (r.contentLength() <= 0) {
            throw NuboException.of(ErrorCode.MISSING_PARAMETER, "An upload needs a Content-Length: the size of the image file");
        }
        if (r.contentLength() > settings.maxSourceBytes()) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "The upload is %d bytes, over this cloud's limit of %d",
                    r.contentLength(), settings.maxSourceBytes());
        }
        StoragePool pool = pools.imagePool();
        if (r.contentLength() > pool.freeBytes()) {
            throw noRoom(r.contentLength(), pool);
        }
        db.read(s -> {
            QuotaService.requireImageRoom(s, caller.accountId(), false);
            checkNameFree(s, caller, r.name());
            return null;
        });
        Path incoming = files.newIncoming();
        boolean handedOver = false;
        try {
            Files.createDirectories(incoming.getParent());
            SparseCopy.Result got = receive(body, incoming, r.contentLength());
            String digest = HexFormat.of().formatHex(got.sha256());
            if (!MessageDigest.isEqual(digest.getBytes(StandardCharsets.US_ASCII),
                    r.sha256().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII))) {
                throw NuboException.of(ErrorCode.BAD_DIGEST, "The SHA-256 of the %d bytes received is %s, not %s as sent",
                        got.bytes(), digest, r.sha256().toLowerCase(Locale.ROOT));
            }
            inspector.inspect(incoming, settings.maxVirtualSize());
            Instant now = clock.instant();
            Image i = pending(caller, r.name(), r.description(), now);
            Path staged = files.upload(i.id());
            ImageFiles.moveAtomically(incoming, staged);
            try {
                db.inTransaction(s -> {
                    QuotaService.requireImageRoom(s, caller.accountId(), true);
                    checkNameFree(s, caller, r.name());
                    s.images().insert(i);
                    s.imageImports().insert(i.id(), "upload", staged.toString(), r.format(), now);
                    s.events().append(now, caller.accountId(), i.id(), "image.state", null, Image.PENDING,
                            "upload of " + got.bytes() + " bytes by " + caller.accessKeyId());
                    return null;
                });
            } catch (RuntimeException e) {
                ImageFiles.deleteQuietly(staged);
                throw e;
            }
            handedOver = true;
            importer.wake();
            return i;
        } catch (IOException e) {
            throw new UncheckedIOException("could not store the upload", e);
        } finally {
            if (!handedOver) {
                ImageFiles.deleteQuietly(incoming);
            }
        }
    }

    private static SparseCopy.Result receive(InputStream body, Path into, long length) {
        SparseCopy.Result got;
        try {
            got = SparseCopy.copy(body, into, length, true, n -> { });
        } catch (SparseCopy.TooLong e) {
            throw NuboException.of(ErrorCode.INVALID_REQUEST, "The upload has more than the %d bytes of its Content-Length", length);
        } catch (IOException e) {
            throw NuboException.of(ErrorCode.INVALID_REQUEST, "The upload was cut off: %s", e.getMessage());
        }
        if (got.bytes() != length) {
            throw NuboException.of(ErrorCode.INVALID_REQUEST, "The upload ended after %d of its %d bytes", got.bytes(), length);
        }
        return got;
    }

    /** Deregisters one of the caller's own images: it is no longer listed or launchable; instances keep running. */
    public void deregister(Principal caller, String id) {
        IdCheck.images(List.of(id));
        db.inTransaction(s -> {
            Image i = own(s, caller, id, "deregister");
            s.images().deregister(id);
            s.imageImports().delete(id);
            s.launchPermissions().removeAll(id);
            s.tags().deleteAll(caller.accountId(), id);
            s.events().append(clock.instant(), caller.accountId(), id, "image.state", i.state(), Image.DEREGISTERED,
                    "by " + caller.accessKeyId());
            return null;
        });
        // Its file goes once no instance uses it; a running import of it stops when it next renews its lease.
        importer.sweepSoon();
    }

    /** EC2's ModifyImageAttribute for launchPermission: shares with accounts, or (operators) with everyone. */
    public void modifyLaunchPermission(Principal caller, String id, List<LaunchPermission> add, List<LaunchPermission> remove) {
        IdCheck.images(List.of(id));
        if (add.isEmpty() && remove.isEmpty()) {
            throw NuboException.of(ErrorCode.MISSING_PARAMETER, "The request must add or remove at least one launch permission");
        }
        List<LaunchPermission> all = new ArrayList<>(add);
        all.addAll(remove);
        all.forEach(ImageService::checkPermission);
        if (add.stream().anyMatch(p -> p.group().isPresent()) && !caller.isAdmin()) {
            throw NuboException.of(ErrorCode.UNAUTHORIZED_OPERATION,
                    "Only the operator may make an image public (launch permission group 'all'); share it with accounts instead");
        }
        db.inTransaction(s -> {
            own(s, caller, id, "modify");
            for (LaunchPermission p : add) {
                p.userId().ifPresent(a -> s.launchPermissions().add(id, a, clock.instant()));
                p.group().ifPresent(g -> s.images().setPublic(id, true));
            }
            for (LaunchPermission p : remove) {
                p.userId().ifPresent(a -> s.launchPermissions().remove(id, a));
                p.group().ifPresent(g -> s.images().setPublic(id, false));
            }
            if (s.launchPermissions().accounts(id).size() > MAX_SHARES) {
                throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "An image may be shared with at most %d accounts", MAX_SHARES);
            }
            s.events().append(clock.instant(), caller.accountId(), id, "image.launch-permission", null, null,
                    "added " + describe(add) + "; removed " + describe(remove) + " by " + caller.accessKeyId());
            return null;
        });
    }

    /** EC2's ResetImageAttribute for launchPermission: the image is private again. */
    public void resetLaunchPermission(Principal caller, String id) {
        IdCheck.images(List.of(id));
        db.inTransaction(s -> {
            own(s, caller, id, "modify");
            s.launchPermissions().removeAll(id);
            s.images().setPublic(id, false);
            s.events().append(clock.instant(), caller.accountId(), id, "image.launch-permission", null, null,
                    "reset to private by " + caller.accessKeyId());
            return null;
        });
    }

    public void setDescription(Principal caller, String id, String description) {
        IdCheck.images(List.of(id));
        checkDescription(description);
        db.inTransaction(s -> {
            own(s, caller, id, "modify");
            s.images().setDescription(id, description);
            return null;
        });
    }

    /** The owner's view of an image's description and launch permissions. */
    public ImageAttributes attributes(Principal caller, String id) {
        IdCheck.images(List.of(id));
        return db.read(s -> {
            Image i = own(s, caller, id, "describe the attributes of");
            return new ImageAttributes(id, i.description(), i.isPublic(), s.launchPermissions().accounts(id));
        });
    }

    /** The image, if the caller may see it and owns it; another account's is not found, a visible foreign one is refused. */
    private static Image own(Store s, Principal caller, String id, String verb) {
        Image i = s.images().findVisible(id, caller.accountId()).orElseThrow(() -> NotFound.image(id));
        if (!caller.accountId().equals(i.ownerId())) {
            throw NuboException.of(ErrorCode.UNAUTHORIZED_OPERATION, "You are not authorized to %s image %s: it is not yours", verb, id);
        }
        return i;
    }

    private Path checkServerFile(Principal caller, String path) {
        if (!caller.isAdmin()) {
            throw NuboException.of(ErrorCode.UNAUTHORIZED_OPERATION,
                    "Only the operator may import a file from the server's file system; upload it, or give a URL");
        }
        Path p;
        try {
            p = Path.of(path);
        } catch (java.nio.file.InvalidPathException e) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "'%s' is not a valid path", path);
        }
        if (!p.isAbsolute()) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "The path on the server must be absolute: '%s'", path);
        }
        if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "There is no readable file at '%s' on the server", path);
        }
        // Checked now, so a hostile file is refused before any row exists; checked again once copied.
        inspector.inspect(p, settings.maxVirtualSize());
        return p.toAbsolutePath().normalize();
    }

    static Image pending(Principal caller, String name, Optional<String> description, Instant now) {
        return new Image(Ids.next(Ids.IMAGE), name, description.orElse(""), caller.accountId(), false, Image.PENDING, "", "",
                "x86_64", now, null, 0, null, 0, 0);
    }

    static void validate(String name, Optional<String> description, Optional<String> format) {
        if (name == null || name.isEmpty()) {
            throw NuboException.of(ErrorCode.MISSING_PARAMETER, "The request must contain the parameter Name");
        }
        if (!NAME.matcher(name).matches()) {
            throw NuboException.of(ErrorCode.INVALID_AMI_NAME_MALFORMED,
                    "AMI names must be 3 to 128 characters: letters, digits, spaces and ( ) [ ] . / - ' @ _ (got '%s')",
                    Text.printable(name) ? name : "?");
        }
        description.ifPresent(ImageService::checkDescription);
        format.ifPresent(f -> {
            if (!TARGET_FORMATS.contains(f)) {
                throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE,
                        "Invalid format '%s': an image is converted to qcow2 or raw, or kept as it is", Text.printable(f) ? f : "?");
            }
        });
    }

    private static void checkDescription(String d) {
        if (d.length() > MAX_DESCRIPTION || !Text.printable(d)) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Descriptions are at most %d printable characters",
                    MAX_DESCRIPTION);
        }
    }

    private static void checkPermission(LaunchPermission p) {
        if (p.userId().isPresent() == p.group().isPresent()) {
            throw NuboException.of(ErrorCode.INVALID_AMI_ATTRIBUTE_ITEM_VALUE,
                    "A launch permission names either an account (UserId) or the group 'all'");
        }
        p.userId().ifPresent(a -> {
            if (!Ids.isAccountId(a)) {
                throw NuboException.of(ErrorCode.INVALID_AMI_ATTRIBUTE_ITEM_VALUE,
                        "Invalid account ID '%s': account IDs are 12 digits", Text.printable(a) ? a : "?");
            }
        });
        p.group().ifPresent(g -> {
            if (!g.equals("all")) {
                throw NuboException.of(ErrorCode.INVALID_AMI_ATTRIBUTE_ITEM_VALUE, "Invalid group '%s': the only group is 'all'",
                        Text.printable(g) ? g : "?");
            }
        });
    }

    static void checkNameFree(Store s, Principal caller, String name) {
        if (s.images().ownerHasName(caller.accountId(), name)) {
            throw NuboException.of(ErrorCode.INVALID_AMI_NAME_DUPLICATE, "AMI name %s is already in use by AMI of this account", name);
        }
    }

    private static NuboException noRoom(long bytes, StoragePool pool) {
        return NuboException.of(ErrorCode.INSUFFICIENT_STORAGE_CAPACITY, "The %s pool has %d bytes free, not the %d this image needs",
                pool.name(), pool.freeBytes(), bytes);
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String describe(List<LaunchPermission> ps) {
        return ps.isEmpty() ? "nothing" : String.join(", ", ps.stream().map(p -> p.userId().orElse("group " + p.group().orElse(""))).toList());
    }
}
