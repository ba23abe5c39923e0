package io.nubo.qemu;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * Hot-plugs volumes into a running QEMU over QMP, and finds what a VM has of them, by name:
 * a volume {@code vol-x} is the format node {@code vol-x} over the file node {@code vol-x-file},
 * and the virtio-blk device {@code vol-x} (see {@link QemuVolume}). Every step is idempotent and
 * starts from what the VM has, so a step interrupted by a crash (a node added, its device not
 * yet) is finished, or undone, by the next call.
 *
 * <p>Detaching asks the guest to let go ({@code device_del}: an ACPI eject on the {@code pc}
 * machine) and waits for QEMU's {@code DEVICE_DELETED}; then the node goes ({@code blockdev-del}).
 * A forced detach does not wait: if the guest still has the disk, its file is swapped for a
 * null node ({@code blockdev-reopen}), so that the file is closed at once and the volume can go
 * elsewhere, and the guest's dead disk is cleaned up whenever the guest lets go of it.
 * Stateless; the QMP client serialises the commands.
 */
public final class VolumeHotplug {
    private static final Pattern VOLUME = Pattern.compile("vol-[0-9a-f]+");

    private VolumeHotplug() {
    }

    /**
     * What a VM has of one volume: its format {@code node}, its {@code device}, whether a forced
     * detach has {@code released} its file (the node sits on a null node), and the size the VM
     * gives it.
     */
    public record Found(String id, boolean node, boolean device, boolean released, long sizeBytes) {
        /** The guest has the disk, on its file. */
        public boolean attached() {
            return node && device && !released;
        }

        /** The VM still holds the volume's file. */
        public boolean holdsFile() {
            return node && !released;
        }
    }

    /** Every volume the VM has anything of, by ID; a released volume whose device is gone too is cleaned up on the way. */
    public static Map<String, Found> scan(QmpClient m) {
        Set<String> nodes = new HashSet<>();
        Map<String, Long> sizes = new HashMap<>();
        for (JsonNode n : m.execute("query-named-block-nodes", Map.of("flat", true))) {
            String name = n.path("node-name").asText();
            nodes.add(name);
            sizes.put(name, n.path("image").path("virtual-size").asLong());
        }
        Set<String> devices = new HashSet<>();
        for (JsonNode b : m.execute("query-block")) {
            String qdev = b.path("qdev").asText("");
            String[] parts = qdev.split("/");
            // /machine/peripheral/<id>/virtio-backend
            if (parts.length >= 4 && parts[2].equals("peripheral") && VOLUME.matcher(parts[3]).matches()) {
                devices.add(parts[3]);
            }
        }
        Set<String> ids = new HashSet<>(devices);
        nodes.stream().filter(n -> VOLUME.matcher(n).matches()).forEach(ids::add);
        nodes.stream().filter(n -> n.endsWith("-null") && VOLUME.matcher(n.substring(0, n.length() - 5)).matches())
                .forEach(n -> ids.add(n.substring(0, n.length() - 5)));
        Map<String, Found> out = new HashMap<>();
        for (String id : ids) {
            boolean node = nodes.contains(id);
            boolean released = nodes.contains(QemuVolume.nullNode(id)) && !nodes.contains(id + "-file");
            Found f = new Found(id, node, devices.contains(id), released, sizes.getOrDefault(id, 0L));
            if (!f.device() && (f.released() || !f.node())) {
                dropNodes(m, id); // what a forced detach or a crash left behind, with no guest disk over it
                continue;
            }
            out.put(id, f);
        }
        return out;
    }

    /** Attaches {@code v}, or finishes an attach that was interrupted. */
    public static void attach(QmpClient m, QemuVolume v) {
        Found f = scan(m).get(v.id());
        if (f != null && f.released()) {
            throw new QmpException("attach", "volume " + v.id() + " is still being detached from this VM (the guest has not let go)", null);
        }
        if (f == null || !f.node()) {
            m.execute("blockdev-add", Map.of("driver", v.format(), "node-name", v.id(),
                    "file", Map.of("driver", "file", "node-name", v.fileNode(), "filename", v.path().toString())));
        }
        if (f == null || !f.device()) {
            m.execute("device_add", Map.of("driver", "virtio-blk-pci", "id", v.id(), "drive", v.id(), "serial", v.serial(),
                    "share-rw", v.shareable()));
        }
    }

    /**
     * Detaches a volume. Returns true once the VM no longer holds its file (the device may linger
     * after a forced detach), false when the guest has not let go within {@code timeout}.
     */
    public static boolean detach(QmpClient m, String id, boolean force, Duration timeout) {
        Found f = scan(m).get(id);
        if (f == null) {
            return true;
        }
        if (f.device()) {
            CompletableFuture<QmpEvent> gone = m.nextEvent(e -> e.name().equals("DEVICE_DELETED") && id.equals(e.data().path("device").asText()));
            try {
                m.execute("device_del", Map.of("id", id));
            } catch (QmpCommandException e) {
                if (!e.errorClass().equals("DeviceNotFound")) {
                    gone.cancel(false);
                    throw e; // "already in the process of unplug" is not an error in QEMU 7.2; anything else is
                }
            }
            if (!awaitQuietly(gone, force ? Duration.ZERO : timeout) && stillHasDevice(m, id)) {
                if (!force) {
                    return false;
                }
                release(m, id, f);
                return true;
            }
        }
        dropNodes(m, id);
        return true;
    }

    /** Grows the volume as the guest sees it (and its file); QEMU tells the guest of the new capacity. */
    public static void resize(QmpClient m, String id, long sizeBytes) {
        m.execute("block_resize", Map.of("node-name", id, "size", sizeBytes));
    }

    /** Puts a null node under the volume's format node: the file is closed while the guest keeps a dead disk. */
    private static void release(QmpClient m, String id, Found f) {
        if (f.released() || !f.node()) {
            return;
        }
        try {
            m.execute("blockdev-add", Map.of("driver", "null-co", "node-name", QemuVolume.nullNode(id), "size", Math.max(f.sizeBytes(), 512),
                    "read-zeroes", true));
        } catch (QmpCommandException e) {
            // Already there: a crash between this and the reopen below.
        }
        m.execute("blockdev-reopen", Map.of("options", java.util.List.of(Map.of("driver", "raw", "node-name", id,
                "file", QemuVolume.nullNode(id)))));
    }

    private static boolean stillHasDevice(QmpClient m, String id) {
        Found now = scan(m).get(id);
        return now != null && now.device();
    }

    /** Deletes the volume's nodes that exist: format, then file and null nodes (children go with their parent). */
    private static void dropNodes(QmpClient m, String id) {
        for (String node : new String[]{id, id + "-file", QemuVolume.nullNode(id)}) {
            try {
                m.execute("blockdev-del", Map.of("node-name", node));
            } catch (QmpCommandException e) {
                // Not there (or gone with its parent).
            }
        }
    }

    private static boolean awaitQuietly(CompletableFuture<QmpEvent> event, Duration timeout) {
        try {
            if (timeout.isZero()) {
                return event.isDone() && !event.isCompletedExceptionally();
            }
            event.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException | ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            event.cancel(false);
        }
    }
}
