package io.nubo.control.billing;

import io.nubo.control.volumes.CreateVolumeRequest;
import io.nubo.control.volumes.ModifyVolumeRequest;
import io.nubo.core.billing.MeterState;
import io.nubo.core.billing.UsageRecord;
import io.nubo.core.billing.UsageType;
import io.nubo.core.model.Event;
import io.nubo.core.model.Image;
import io.nubo.core.model.Principal;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The storage meters: volume GiB-seconds per volume type while a volume exists, image GiB-seconds while an image is available. */
class BillingStorageTest {
    private static final Instant T0 = Instant.parse("2025-07-30T12:00:00Z");

    private static CreateVolumeRequest volume(int gib, String type) {
        return new CreateVolumeRequest(Optional.of(gib), Optional.of(type), Optional.of("nubo-1a"), Optional.empty(), Optional.empty(),
                Optional.empty(), false, Optional.empty(), false, Optional.empty(), List.of(), Optional.empty());
    }

    @Test
    void aVolumeAccruesItsSizeFromAvailableToDeletedAtEachSizeAndTypeAndAcrossAMonthEnd() throws Exception {
        try (BillingFixture f = new BillingFixture(T0)) {
            f.sharedPool();
            Principal t = f.tenant("storer");
            String id = f.cp.volumes().create(t, volume(8, "gp2")).volume().id();
            f.clock.advance(Duration.ofSeconds(30)); // creating: nothing accrues yet
            f.cp.volumeController().pass(); // available
            f.clock.advance(Duration.ofHours(10));
            f.cp.volumes().modify(t, id, new ModifyVolumeRequest(Optional.of(16), Optional.of("gp3"), Optional.empty(), Optional.empty(),
                    Optional.empty()));
            f.cp.volumeController().pass(); // grown
            f.clock.advance(Duration.ofHours(50)); // into August
            f.cp.volumes().delete(t, id);
            f.clock.advance(Duration.ofSeconds(30));
            f.cp.volumeController().pass(); // deleted: no change to what accrued
            f.cp.billing().metering().catchUp();

            List<UsageRecord> records = f.db.read(s -> s.usageRecords().all()).stream().filter(u -> u.resourceId().equals(id)).toList();
            assertThat(records).extracting(UsageRecord::sku, UsageRecord::size, UsageRecord::seconds).containsExactly(
                    org.assertj.core.groups.Tuple.tuple("gp2", 8L, 36_000L),
                    org.assertj.core.groups.Tuple.tuple("gp3", 16L, 7170L), // to midnight
                    org.assertj.core.groups.Tuple.tuple("gp3", 16L, 86_400L),
                    org.assertj.core.groups.Tuple.tuple("gp3", 16L, 86_400L),
                    org.assertj.core.groups.Tuple.tuple("gp3", 16L, 30L));
            Invoice july = f.cp.billing().invoice(t, "inv-" + t.accountId() + "-202507");
            assertThat(july.lines()).extracting(Invoice.Line::sku, Invoice.Line::quantity, Invoice.Line::unitPriceMicros).containsExactly(
                    org.assertj.core.groups.Tuple.tuple("gp2", 8L * 36_000, 100_000L),
                    org.assertj.core.groups.Tuple.tuple("gp3", 16L * (7170 + 86_400), 80_000L));
            // 288,000 GiB-s of gp2 at 0.10 per GiB-month of 730 h is 1.0959 cents: 1 cent, half-up.
            assertThat(july.lines().get(0).amountMinor()).isEqualTo(1);
            Invoice august = f.cp.billing().invoice(t, "inv-" + t.accountId() + "-202508");
            assertThat(august.lines()).singleElement().satisfies(l -> assertThat(l.quantity()).isEqualTo(16L * (86_400 + 30)));

            assertThat(f.cp.billing().metering().check().consistent()).isTrue();
            f.cp.billing().metering().rebuild();
            assertThat(f.cp.billing().invoice(t, july.id()).lines()).isEqualTo(july.lines());
        }
    }

    @Test
    void aSnapshotAccruesItsVolumesSizeFromItsCreationToItsDeletionAtTheSnapshotPrice() throws Exception {
        try (BillingFixture f = new BillingFixture(T0)) {
            f.sharedPool();
            Principal t = f.tenant("snapshotter");
            String vol = f.cp.volumes().create(t, volume(8, "gp2")).volume().id();
            f.cp.volumeController().pass();
            String snap = f.cp.snapshots().create(t, vol, Optional.empty(), List.of()).snapshot().id();
            f.clock.advance(Duration.ofSeconds(20)); // pending: its space is taken, so it accrues already
            f.cp.snapshotController().pass(); // completed
            f.clock.advance(Duration.ofHours(10));
            f.cp.volumes().delete(t, vol); // the snapshot outlives its volume
            f.clock.advance(Duration.ofHours(1));
            f.cp.snapshots().delete(t, snap);
            f.clock.advance(Duration.ofSeconds(30));
            f.cp.snapshotController().pass(); // deleted: no change to what accrued
            f.cp.billing().metering().catchUp();

            List<UsageRecord> records = f.db.read(s -> s.usageRecords().all()).stream().filter(u -> u.resourceId().equals(snap)).toList();
            assertThat(records).extracting(UsageRecord::type, UsageRecord::sku, UsageRecord::size, UsageRecord::seconds)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(UsageType.SNAPSHOT, "standard", 8L, 20L + 11 * 3600));
            Invoice july = f.cp.billing().invoice(t, "inv-" + t.accountId() + "-202507");
            assertThat(july.lines()).filteredOn(l -> l.resourceId().equals(snap))
                    .extracting(Invoice.Line::usageType, Invoice.Line::quantity, Invoice.Line::unitPriceMicros)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("snapshot", 8L * (20 + 11 * 3600), 50_000L));
            assertThat(f.cp.billing().metering().check().consistent()).isTrue();
        }
    }

    @Test
    void aVolumeAccruingNowIsOnTheDraftAndInItsForecast() throws Exception {
        try (BillingFixture f = new BillingFixture(T0)) {
            f.sharedPool();
            Principal t = f.tenant("keeper");
            String id = f.cp.volumes().create(t, volume(100, "gp3")).volume().id();
            f.cp.volumeController().pass();
            f.clock.advance(Duration.ofHours(2));
            Invoice draft = f.cp.billing().invoice(t, "inv-" + t.accountId() + "-202507");
            assertThat(draft.lines()).singleElement().satisfies(l -> {
                assertThat(l.resourceId()).isEqualTo(id);
                assertThat(l.usageType()).isEqualTo("volume");
                assertThat(l.quantity()).isEqualTo(100L * 7200);
            });
            // The forecast adds what the volume accrues until the month ends.
            assertThat(draft.forecastMinor().orElseThrow()).isGreaterThan(draft.totalMinor());
        }
    }

    @Test
    void anImageAccruesItsSizeInWholeGibWhileAvailable() throws Exception {
        try (BillingFixture f = new BillingFixture(T0)) {
            Principal t = f.tenant("imager");
            String id = "ami-0123456789abcdef0";
            f.db.inTransaction(s -> {
                s.images().insert(new Image(id, "mine", "", t.accountId(), false, Image.PENDING, "qcow2", "/x", "x86_64", T0, null, 0,
                        null, 0, 0));
                s.events().append(T0, t.accountId(), id, "image.state", null, Image.PENDING, "import");
                return null;
            });
            f.clock.advance(Duration.ofMinutes(5));
            f.db.inTransaction(s -> {
                s.images().markAvailable(id, "qcow2", "/x", null, 3L * StorageMeter.GIB / 2, 10 * StorageMeter.GIB);
                s.events().append(f.clock.instant(), t.accountId(), id, "image.state", Image.PENDING, Image.AVAILABLE, "imported");
                return null;
            });
            f.clock.advance(Duration.ofHours(3));
            f.db.inTransaction(s -> {
                s.events().append(f.clock.instant(), t.accountId(), id, "image.state", Image.AVAILABLE, Image.DEREGISTERED, "by me");
                return null;
            });
            Invoice inv = f.cp.billing().invoice(t, "inv-" + t.accountId() + "-202507");
            assertThat(inv.lines()).singleElement().satisfies(l -> {
                assertThat(l.usageType()).isEqualTo("image");
                assertThat(l.sku()).isEqualTo("standard");
                assertThat(l.quantity()).as("1.5 GiB is billed as 2").isEqualTo(2L * 3 * 3600);
                assertThat(l.unitPriceMicros()).isEqualTo(50_000);
            });
        }
    }

    @Test
    void theVolumeFoldCountsAttachedAndDetachedTimeAlikeAndIgnoresEventsItHasSeen() {
        MeterState m = StorageMeter.freshVolume(event(1, "volume.state", null, "creating"), new StorageMeter.Shape(4, "io2"));
        List<UsageRecord> closed = new ArrayList<>();
        String[][] steps = {{"creating", "available"}, {"available", "in-use"}, {"in-use", "available"}, {"available", "in-use"},
                {"in-use", "available"}, {"available", "deleting"}, {"deleting", "deleted"}};
        long id = 1;
        for (String[] s : steps) {
            MeterStep step = StorageMeter.apply(m, event(++id, "volume.state", s[0], s[1]));
            closed.addAll(step.closed());
            m = step.state();
            // Seen again (a second pass, another server): nothing changes.
            assertThat(StorageMeter.apply(m, event(id, "volume.state", s[0], s[1])).closed()).isEmpty();
        }
        assertThat(closed).singleElement().satisfies(u -> {
            assertThat(u.seconds()).isEqualTo(5 * 60);
            assertThat(u.size()).isEqualTo(4);
            assertThat(u.type()).isEqualTo(UsageType.VOLUME);
        });
        assertThat(m.accruing()).isFalse();
        // A volume that failed to be created costs nothing.
        MeterState failed = StorageMeter.freshVolume(event(1, "volume.state", null, "creating"), new StorageMeter.Shape(4, "gp3"));
        assertThat(StorageMeter.apply(failed, event(2, "volume.state", "creating", "error")).state().accruing()).isFalse();
        assertThat(StorageMeter.Shape.parse("16 GiB gp3 multi-attach")).contains(new StorageMeter.Shape(16, "gp3"));
        assertThat(StorageMeter.Shape.parse("garbage")).isEmpty();
    }

    private static Event event(long id, String type, String from, String to) {
        return new Event(id, T0.plusSeconds(60 * id), "123456789012", "vol-0123456789abcdef0", type, from, to, "test");
    }
}
