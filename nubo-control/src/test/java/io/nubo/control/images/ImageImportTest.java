package io.nubo.control.images;

import io.nubo.control.ControlPlane;
import io.nubo.control.catalog.ImageQuery;
import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;
import io.nubo.core.model.Image;
import io.nubo.core.model.NewAccessKey;
import io.nubo.core.model.PageRequest;
import io.nubo.core.model.Principal;
import io.nubo.core.model.Role;
import io.nubo.core.model.StoragePool;
import io.nubo.store.Database;
import io.nubo.store.testing.TempDirs;
import io.nubo.store.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Imports end to end inside the control plane: real PostgreSQL, real qemu-img, and a loopback
 * HTTP server as the source. Each test has its own database and data dir.
 */
class ImageImportTest {
    private Database db;
    private ControlPlane cp;
    private Path dataDir;
    private Path disks;
    private Principal admin;
    private ImageSettings settings;
    private final LoopbackHttp http = new LoopbackHttp();

    ImageImportTest() throws Exception {
    }

    private void cloud(boolean start) throws Exception {
        db = TestDatabase.fresh();
        dataDir = Files.createTempDirectory("nubo-import-test");
        disks = Files.createDirectories(dataDir.resolve("disks"));
        settings = new ImageSettings(dataDir.resolve("pools/shared"), 64 * TestDisks.MIB, 1L << 30, false, Duration.ofSeconds(2), 2, 2,
                Duration.ofSeconds(60), Duration.ofMinutes(10));
        cp = new ControlPlane(db, dataDir, Clock.systemUTC(), settings);
        NewAccessKey key = cp.identity().bootstrapAdmin().orElseThrow();
        admin = new Principal(key.accountId(), Role.ADMIN, key.accessKeyId());
        if (start) {
            cp.start();
        } else {
            cp.storagePools().ensureShared(settings.sharedPool());
        }
    }

    @AfterEach
    void stop() {
        http.close();
        if (cp != null) {
            cp.close();
            db.close();
        }
        TempDirs.delete(dataDir);
    }

    private Principal tenant(String name) {
        NewAccessKey k = cp.identity().createAccount(admin, name, Optional.empty());
        return new Principal(k.accountId(), Role.MEMBER, k.accessKeyId());
    }

    private Image fromUrl(Principal who, String name, String url, Optional<String> format) {
        return cp.images().importImage(who, new ImportRequest(name, Optional.empty(), Optional.of(url), Optional.empty(), format, List.of()));
    }

    private Image image(String id) {
        return db.inTransaction(s -> s.images().find(id)).orElseThrow();
    }

    private Image awaitSettled(String id) {
        await().atMost(Duration.ofSeconds(60)).until(() -> !image(id).state().equals(Image.PENDING));
        return image(id);
    }

    private Path pool() {
        return settings.sharedPool().resolve("images");
    }

    private StoragePool sharedPool() {
        return cp.storagePools().list(admin).stream().filter(p -> p.name().equals("shared")).findFirst().orElseThrow();
    }

    private long rows(String sql) {
        return db.jdbi().withHandle(h -> h.createQuery(sql).mapTo(Long.class).one());
    }

    private void refused(ErrorCode code, String message, Executable call) throws Exception {
        long images = rows("SELECT count(*) FROM images");
        long events = rows("SELECT count(*) FROM events");
        List<Path> files = TestDisks.filesUnder(pool());
        NuboException e = (NuboException) org.junit.jupiter.api.Assertions.assertThrows(NuboException.class, call);
        assertThat(e.errorCode()).as(e.getMessage()).isEqualTo(code);
        assertThat(e.getMessage()).contains(message);
        assertThat(rows("SELECT count(*) FROM images")).as("no image row").isEqualTo(images);
        assertThat(rows("SELECT count(*) FROM events")).as("no event").isEqualTo(events);
        assertThat(TestDisks.filesUnder(pool())).as("no file left on the pool").isEqualTo(files);
    }

    @Test
    void anImageFromAUrlIsConvertedToQcow2AndTakesItsBytesOnTheSharedPool() throws Exception {
        cloud(true);
        String url = http.serve("/disk.vhd", TestDisks.convert(disks, "vpc", "disk.vhd"));

        Image pending = fromUrl(admin, "from-url", url, Optional.of("qcow2"));
        assertThat(pending.state()).isEqualTo("pending");
        assertThat(pending.id()).matches("ami-[0-9a-f]{17}");

        Image done = awaitSettled(pending.id());
        assertThat(done.state()).as(done.stateReason()).isEqualTo("available");
        assertThat(done.format()).isEqualTo("qcow2");
        assertThat(done.progress()).isEqualTo(100);
        assertThat(done.location()).isEqualTo(pool().resolve(pending.id() + ".qcow2").toString());
        assertThat(new io.nubo.qemu.QemuImg().info(Path.of(done.location())).format()).isEqualTo("qcow2");
        assertThat(done.virtualSizeBytes()).isGreaterThanOrEqualTo(4 * TestDisks.MIB);
        assertThat(done.sizeBytes()).isPositive();
        assertThat(sharedPool().usedBytes()).isEqualTo(done.sizeBytes());
        assertThat(TestDisks.filesUnder(pool())).containsExactly(Path.of(done.location()));
        assertThat(rows("SELECT count(*) FROM image_imports")).isZero();
        assertThat(rows("SELECT count(*) FROM events WHERE resource_id = '" + pending.id() + "' AND to_state = 'available'")).isEqualTo(1);
    }

    @Test
    void theImageQuotaCountsOwnedImagesAndRefusesOneMoreWithoutAddingAnything() throws Exception {
        cloud(true);
        Principal tenant = tenant("image-quota");
        cp.quotas().setQuotas(admin, tenant.accountId(), java.util.Map.of("images", 1L));
        Path disk = TestDisks.convert(disks, "qcow2", "small.qcow2");
        assertThat(awaitSettled(upload(tenant, "first", disk).id()).state()).isEqualTo("available");
        assertThat(cp.quotas().quotas(tenant, tenant.accountId())).filteredOn(u -> u.resource().equals("images"))
                .singleElement().satisfies(u -> {
                    assertThat(u.limit()).contains(1L);
                    assertThat(u.used()).isEqualTo(1);
                });

        refused(ErrorCode.RESOURCE_LIMIT_EXCEEDED, "You have reached your limit of 1 images (1 owned).", () -> upload(tenant, "second", disk));
        String url = http.serve("/small.qcow2", disk);
        cp.quotas().setQuotas(admin, admin.accountId(), java.util.Map.of("images", 0L));
        refused(ErrorCode.RESOURCE_LIMIT_EXCEEDED, "You have reached your limit of 0 images (0 owned).",
                () -> fromUrl(admin, "admins", url, Optional.empty()));
        // A quota below use blocks new images and takes nothing away.
        cp.quotas().setQuotas(admin, tenant.accountId(), java.util.Map.of("images", 0L));
        assertThat(rows("SELECT count(*) FROM images WHERE owner_id = '" + tenant.accountId() + "' AND state = 'available'")).isEqualTo(1);
    }

    @Test
    void withoutAFormatTheImageIsKeptInTheFormatItHasWhateverItsName() throws Exception {
        cloud(true);
        String url = http.serve("/disk.img", TestDisks.convert(disks, "vpc", "disk.img"));

        Image done = awaitSettled(fromUrl(admin, "as-is", url, Optional.empty()).id());

        assertThat(done.state()).isEqualTo("available");
        assertThat(done.format()).isEqualTo("vpc");
        assertThat(done.location()).endsWith(".vpc");
    }

    @Test
    void aRedirectIsFollowed() throws Exception {
        cloud(true);
        String target = http.serve("/real.qcow2", TestDisks.convert(disks, "qcow2", "real.qcow2"));

        Image done = awaitSettled(fromUrl(admin, "redirected", http.redirect("/moved", target), Optional.empty()).id());

        assertThat(done.state()).isEqualTo("available");
    }

    @Test
    void aHostileImageFromAUrlFailsWithTheReasonAndLeavesNoFile() throws Exception {
        cloud(true);
        String url = http.serve("/evil.qcow2", TestDisks.withBackingFile(disks, "/etc/shadow"));

        Image failed = awaitSettled(fromUrl(admin, "evil", url, Optional.of("qcow2")).id());

        assertThat(failed.state()).isEqualTo("failed");
        assertThat(failed.stateReason()).startsWith("Client.InvalidDiskImage:").contains("backing file (/etc/shadow)");
        assertThat(failed.location()).isEmpty();
        assertThat(TestDisks.filesUnder(pool())).isEmpty();
        assertThat(sharedPool().usedBytes()).isZero();
        assertThat(rows("SELECT count(*) FROM image_imports")).isZero();
    }

    @Test
    void aMissingFileFailsAtOnceAndAServerErrorIsRetriedBeforeItFails() throws Exception {
        cloud(true);
        Image missing = awaitSettled(fromUrl(admin, "missing", http.url("/nothing-here"), Optional.empty()).id());
        assertThat(missing.state()).isEqualTo("failed");
        assertThat(missing.stateReason()).isEqualTo("Client.ImportFailure: the download failed: the server answered HTTP 404");
        assertThat(http.requests.get()).isEqualTo(1);

        Image flaky = awaitSettled(fromUrl(admin, "flaky", http.fail("/flaky", 503), Optional.empty()).id());
        assertThat(flaky.state()).isEqualTo("failed");
        assertThat(flaky.stateReason()).startsWith("Server.ImportFailure: gave up after 2 attempts").contains("HTTP 503");
        assertThat(http.requests.get()).isEqualTo(3);
        assertThat(TestDisks.filesUnder(pool())).isEmpty();
    }

    @Test
    void badRequestsAreRefusedBeforeAnythingIsWritten() throws Exception {
        cloud(true);
        Principal tenant = tenant("url-tenant");
        String url = http.serve("/ok.qcow2", TestDisks.convert(disks, "qcow2", "ok.qcow2"));

        refused(ErrorCode.INVALID_PARAMETER_VALUE, "loopback, private or link-local", () -> fromUrl(tenant, "local", url, Optional.empty()));
        refused(ErrorCode.INVALID_PARAMETER_VALUE, "http or https", () -> fromUrl(admin, "ftp", "ftp://127.0.0.1/x", Optional.empty()));
        refused(ErrorCode.INVALID_PARAMETER_VALUE, "http or https", () -> fromUrl(admin, "file", "file:///etc/shadow", Optional.empty()));
        refused(ErrorCode.INVALID_PARAMETER_VALUE, "converted to qcow2 or raw", () -> fromUrl(admin, "fmt", url, Optional.of("vdi")));
        refused(ErrorCode.INVALID_AMI_NAME_MALFORMED, "3 to 128", () -> fromUrl(admin, "x", url, Optional.empty()));
        refused(ErrorCode.INVALID_AMI_NAME_MALFORMED, "3 to 128", () -> fromUrl(admin, "semi;colon", url, Optional.empty()));
        refused(ErrorCode.MISSING_PARAMETER, "a URL, or a path", () -> cp.images().importImage(admin,
                new ImportRequest("nowhere", Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), List.of())));
        refused(ErrorCode.INVALID_PARAMETER_COMBINATION, "not both", () -> cp.images().importImage(admin,
                new ImportRequest("both", Optional.empty(), Optional.of(url), Optional.of("/etc/hostname"), Optional.empty(), List.of())));

        Image first = fromUrl(admin, "taken", url, Optional.empty());
        awaitSettled(first.id());
        refused(ErrorCode.INVALID_AMI_NAME_DUPLICATE, "taken", () -> fromUrl(admin, "taken", url, Optional.empty()));
    }

    @Test
    void aServerFileIsImportedByTheOperatorOnlyAndAHostileOneIsRefusedAtOnce() throws Exception {
        cloud(true);
        Principal tenant = tenant("path-tenant");
        Path good = TestDisks.convert(disks, "vmdk", "good.vmdk");
        Path evil = TestDisks.withBackingFile(disks, "/etc/shadow");

        refused(ErrorCode.UNAUTHORIZED_OPERATION, "Only the operator", () -> fromPath(tenant, "tenant-path", good));
        refused(ErrorCode.INVALID_DISK_IMAGE, "backing file (/etc/shadow)", () -> fromPath(admin, "evil-path", evil));
        refused(ErrorCode.INVALID_DISK_IMAGE, "truncated", () -> fromPath(admin, "cut", TestDisks.truncatedVhd(disks)));
        refused(ErrorCode.INVALID_PARAMETER_VALUE, "no readable file", () -> fromPath(admin, "none", disks.resolve("absent")));
        refused(ErrorCode.INVALID_PARAMETER_VALUE, "absolute", () -> cp.images().importImage(admin,
                new ImportRequest("rel", Optional.empty(), Optional.empty(), Optional.of("disks/good.vmdk"), Optional.empty(), List.of())));

        Image done = awaitSettled(fromPath(admin, "good-path", good).id());
        assertThat(done.state()).isEqualTo("available");
        assertThat(done.format()).isEqualTo("vmdk");
        assertThat(good).exists();

        // A raw server file is converted straight from where it is, with no copy first.
        Path raw = TestDisks.raw(disks, "straight.raw");
        Image converted = awaitSettled(cp.images().importImage(admin, new ImportRequest("straight", Optional.empty(), Optional.empty(),
                Optional.of(raw.toString()), Optional.of("qcow2"), List.of())).id());
        assertThat(converted.state()).as(converted.stateReason()).isEqualTo("available");
        assertThat(converted.format()).isEqualTo("qcow2");
        assertThat(converted.virtualSizeBytes()).isEqualTo(4 * TestDisks.MIB);
        assertThat(raw).exists();
    }

    private Image fromPath(Principal who, String name, Path p) {
        return cp.images().importImage(who, new ImportRequest(name, Optional.empty(), Optional.empty(), Optional.of(p.toString()),
                Optional.empty(), List.of()));
    }

    @Test
    void anImportWhoseServerDiedIsTakenOverAndNothingItLeftSurvives() throws Exception {
        cloud(false);
        String url = http.serve("/disk.qcow2", TestDisks.convert(disks, "qcow2", "disk.qcow2"));
        Image pending = fromUrl(admin, "orphaned", url, Optional.of("raw"));
        // A server claimed it, wrote part of it, and died: its lease runs out in a moment.
        Optional<?> claimed = db.inTransaction(s -> s.imageImports().claim("dead-server", Instant.now(), Instant.now().plusMillis(500)));
        assertThat(claimed).isPresent();
        Path scratch = Files.createDirectories(pool().resolve(".work").resolve(pending.id()));
        Files.writeString(scratch.resolve("source.part"), "half a download");
        Files.writeString(pool().resolve(pending.id() + ".qcow2"), "a file moved into place just before the crash");

        cp.start();

        Image done = awaitSettled(pending.id());
        assertThat(done.state()).as(done.stateReason()).isEqualTo("available");
        assertThat(done.format()).isEqualTo("raw");
        assertThat(TestDisks.filesUnder(pool())).containsExactly(pool().resolve(pending.id() + ".raw"));
        assertThat(sharedPool().usedBytes()).isEqualTo(done.sizeBytes());
    }

    @Test
    void anImportWhoseServersKeptDyingFailsInsteadOfStayingPending() throws Exception {
        cloud(false);
        Image pending = fromUrl(admin, "doomed", http.url("/never-fetched"), Optional.empty());
        for (int i = 0; i < 3; i++) {
            Optional<?> claimed = db.inTransaction(s -> s.imageImports().claim("dying-server", Instant.now(), Instant.now().minusSeconds(1)));
            assertThat(claimed).isPresent();
        }

        cp.start();

        Image failed = awaitSettled(pending.id());
        assertThat(failed.state()).isEqualTo("failed");
        assertThat(failed.stateReason()).startsWith("Server.ImportFailure: gave up after 2 attempts");
        assertThat(http.requests.get()).isZero();
        assertThat(TestDisks.filesUnder(pool())).isEmpty();
    }

    @Test
    void theSweeperRemovesOrphansAndTheFileOfADeregisteredImage() throws Exception {
        cloud(true);
        Image done = awaitSettled(fromUrl(admin, "short-lived", http.serve("/d.qcow2", TestDisks.convert(disks, "qcow2", "d.qcow2")),
                Optional.empty()).id());
        assertThat(sharedPool().usedBytes()).isEqualTo(done.sizeBytes()).isPositive();
        Path old = pool().resolve(".incoming/old.part");
        Files.createDirectories(old.getParent());
        Files.writeString(old, "an upload whose server died");
        Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(Duration.ofHours(1))));
        Path fresh = pool().resolve(".incoming/fresh.part");
        Files.writeString(fresh, "an upload arriving now");
        Path staged = Files.createDirectories(pool().resolve(".uploads")).resolve("ami-0123456789abcdef0.src");
        Files.writeString(staged, "a staged upload nobody queued");
        Files.setLastModifiedTime(staged, FileTime.from(Instant.now().minus(Duration.ofHours(1))));
        Path work = Files.createDirectories(pool().resolve(".work/ami-0123456789abcdef1"));
        Files.writeString(work.resolve("source.part"), "scratch of no import");
        Path stray = pool().resolve("ami-0123456789abcdef2.qcow2");
        Files.writeString(stray, "a file of no image");

        cp.images().deregister(admin, done.id());
        cp.imageImporter().sweep();

        assertThat(TestDisks.filesUnder(pool())).containsExactly(fresh);
        assertThat(sharedPool().usedBytes()).isZero();
        assertThat(image(done.id()).sizeBytes()).isZero();
    }

    @Test
    void aForeignImageIsNotFoundUntilItIsSharedAndOnlyItsOwnerMayShareIt() throws Exception {
        cloud(true);
        Principal a = tenant("owner-a");
        Principal b = tenant("other-b");
        Image mine = upload(a, "a-private", TestDisks.convert(disks, "qcow2", "a.qcow2"));
        awaitSettled(mine.id());

        assertThatThrownBy(() -> cp.catalog().getImage(b, mine.id())).satisfies(e -> notFound(e));
        assertThatThrownBy(() -> describe(b, List.of(mine.id()))).satisfies(e -> notFound(e));
        assertThatThrownBy(() -> cp.images().modifyLaunchPermission(b, mine.id(), List.of(LaunchPermission.account(b.accountId())),
                List.of())).satisfies(e -> notFound(e));
        assertThatThrownBy(() -> cp.images().deregister(b, mine.id())).satisfies(e -> notFound(e));
        assertThatThrownBy(() -> cp.images().attributes(b, mine.id())).satisfies(e -> notFound(e));

        cp.images().modifyLaunchPermission(a, mine.id(), List.of(LaunchPermission.account(b.accountId())), List.of());
        assertThat(cp.catalog().getImage(b, mine.id()).id()).isEqualTo(mine.id());
        assertThat(describe(b, List.of()).stream().map(Image::id)).contains(mine.id());
        assertThat(describeExecutableBy(a, b.accountId())).contains(mine.id());
        assertThat(describeExecutableBy(b, "self")).contains(mine.id());
        assertThat(describeExecutableBy(b, "all")).doesNotContain(mine.id());
        assertThat(cp.images().attributes(a, mine.id()).sharedWith()).containsExactly(b.accountId());
        assertThatThrownBy(() -> cp.images().attributes(b, mine.id())).hasMessageContaining("not yours");
        assertThatThrownBy(() -> cp.images().deregister(b, mine.id())).hasMessageContaining("not yours");

        assertThatThrownBy(() -> cp.images().modifyLaunchPermission(a, mine.id(), List.of(LaunchPermission.everyone()), List.of()))
                .hasMessageContaining("Only the operator");
        assertThatThrownBy(() -> cp.images().modifyLaunchPermission(a, mine.id(), List.of(LaunchPermission.account("12345")), List.of()))
                .satisfies(e -> assertThat(((NuboException) e).errorCode()).isEqualTo(ErrorCode.INVALID_AMI_ATTRIBUTE_ITEM_VALUE));
        assertThatThrownBy(() -> cp.images().modifyLaunchPermission(a, mine.id(),
                List.of(new LaunchPermission(Optional.empty(), Optional.of("everyone"))), List.of()))
                .satisfies(e -> assertThat(((NuboException) e).errorCode()).isEqualTo(ErrorCode.INVALID_AMI_ATTRIBUTE_ITEM_VALUE));

        cp.images().modifyLaunchPermission(a, mine.id(), List.of(), List.of(LaunchPermission.account(b.accountId())));
        assertThatThrownBy(() -> cp.catalog().getImage(b, mine.id())).satisfies(e -> notFound(e));
    }

    @Test
    void theOperatorPublishesAnImageForEveryone() throws Exception {
        cloud(true);
        Principal b = tenant("reader");
        Image published = awaitSettled(fromUrl(admin, "for-all", http.serve("/p.qcow2", TestDisks.convert(disks, "qcow2", "p.qcow2")),
                Optional.empty()).id());
        assertThatThrownBy(() -> cp.catalog().getImage(b, published.id())).satisfies(e -> notFound(e));

        cp.images().modifyLaunchPermission(admin, published.id(), List.of(LaunchPermission.everyone()), List.of());

        assertThat(cp.catalog().getImage(b, published.id()).isPublic()).isTrue();
        assertThat(describeExecutableBy(b, "all")).contains(published.id());
        cp.images().resetLaunchPermission(admin, published.id());
        assertThatThrownBy(() -> cp.catalog().getImage(b, published.id())).satisfies(e -> notFound(e));
    }

    @Test
    void anUploadWhoseDigestDiffersIsRefusedAndLeavesNothing() throws Exception {
        cloud(true);
        Principal a = tenant("uploader");
        byte[] bytes = Files.readAllBytes(TestDisks.convert(disks, "qcow2", "u.qcow2"));
        String wrong = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest("something else".getBytes()));

        refused(ErrorCode.BAD_DIGEST, "not " + wrong, () -> cp.images().upload(a,
                new UploadRequest("bad-digest", Optional.empty(), Optional.empty(), wrong, bytes.length), new ByteArrayInputStream(bytes)));
        refused(ErrorCode.INVALID_REQUEST, "ended after", () -> cp.images().upload(a,
                new UploadRequest("short", Optional.empty(), Optional.empty(), sha256(bytes), bytes.length + 10L),
                new ByteArrayInputStream(bytes)));
        refused(ErrorCode.INVALID_DISK_IMAGE, "backing file", () -> upload(a, "evil-upload", TestDisks.withBackingFile(disks, "/etc/shadow")));
    }

    private Image upload(Principal who, String name, Path file) throws Exception {
        byte[] bytes = Files.readAllBytes(file);
        return cp.images().upload(who, new UploadRequest(name, Optional.empty(), Optional.empty(), sha256(bytes), bytes.length),
                new ByteArrayInputStream(bytes));
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private List<Image> describe(Principal who, List<String> ids) {
        return cp.catalog().describeImages(who, new ImageQuery(ids, List.of(), List.of(), List.of(), new PageRequest(Optional.empty(),
                Optional.empty()))).items().stream().map(d -> d.image()).toList();
    }

    private List<String> describeExecutableBy(Principal who, String executableBy) {
        return cp.catalog().describeImages(who, new ImageQuery(List.of(), List.of(), List.of(executableBy), List.of(),
                new PageRequest(Optional.empty(), Optional.empty()))).items().stream().map(d -> d.image().id()).toList();
    }

    private static void notFound(Throwable e) {
        assertThat(((NuboException) e).errorCode()).isEqualTo(ErrorCode.INVALID_AMI_ID_NOT_FOUND);
    }
}
